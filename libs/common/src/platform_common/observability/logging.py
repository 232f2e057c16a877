"""JSON-lines logging with the service name, request id and trace id; no Django here.

The gateway and the Django services share it: a service passes ``logging_config(...)`` as
``LOGGING``; a process without Django calls ``configure_logging(...)``.
"""

from __future__ import annotations

import logging
import logging.config
import re
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from platform_common.observability.tracecontext import traceparent_var

# Set per request (RequestIdMiddleware, the gateway) or per consumed event.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

REDACTED = "[REDACTED]"
_SECRET_KEY_PATTERN = re.compile(
    r"pass(word|wd)?|token|secret|authorization|api[_-]?key|cookie|credential|private[_-]?key",
    re.IGNORECASE,
)


def is_secret_key(key: str) -> bool:
    """Whether a field with this name must never reach a log line."""
    return bool(_SECRET_KEY_PATTERN.search(key))


def redact(value: Any) -> Any:
    """Replace the values of secret-looking keys, recursing into mappings and lists."""
    if isinstance(value, dict):
        return {
            key: REDACTED if isinstance(key, str) and is_secret_key(key) else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


def trace_id(traceparent: str | None) -> str | None:
    """The trace id field of a W3C ``traceparent`` (``00-<trace id>-<span id>-<flags>``)."""
    parts = (traceparent or "").split("-")
    return parts[1] if len(parts) == 4 else None


class ContextFilter(logging.Filter):
    """Stamps every record with the service name, request id and trace id."""

    def __init__(self, service: str = "") -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.request_id = request_id_var.get()
        record.trace_id = trace_id(traceparent_var.get())
        return True


class PlatformJsonFormatter(JsonFormatter):
    """One JSON object per line: timestamp, level, logger, message, then context and extras."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        super().__init__(**kwargs)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {
            key: REDACTED if is_secret_key(key) else redact(value)
            for key, value in log_data.items()
        }


def logging_config(*, service: str, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dict: JSON lines on stdout for every logger."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter, "service": service}},
        "formatters": {"json": {"()": PlatformJsonFormatter}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "filters": ["context"],
                "formatter": "json",
            }
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Django's own handlers would print a second, non-JSON copy.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
        },
    }


def configure_logging(*, service: str, level: str = "INFO") -> None:
    """Apply ``logging_config`` to this process (for processes without Django settings)."""
    logging.config.dictConfig(logging_config(service=service, level=level))
