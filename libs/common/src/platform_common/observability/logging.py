"""JSON-lines logging with the service name, request, trace and user ids; no Django here.

The gateway and the Django services share it: a service passes ``logging_config(...)`` as
``LOGGING``; a process without Django calls ``configure_logging(...)``.
"""

from __future__ import annotations

import logging
import logging.config
import re
from contextvars import ContextVar
from typing import Any

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

# Set per request (RequestIdMiddleware, the gateway) or per consumed event.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
# Set where a request's principal is established (token authentication, the gateway).
user_id_var: ContextVar[str | None] = ContextVar("user_id", default=None)

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


_EMAIL = re.compile(r"([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")


def mask_emails(text: str) -> str:
    """Every email in ``text`` reduced to its first letter and domain (``a***@example.com``)."""
    return _EMAIL.sub(r"\1***@\2", text) if "@" in text else text


class ContextFilter(logging.Filter):
    """Stamps every record with the service name, request, trace, span and user ids."""

    def __init__(self, service: str = "") -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.request_id = request_id_var.get()
        record.user_id = user_id_var.get()
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            record.trace_id = trace.format_trace_id(span.trace_id)
            record.span_id = trace.format_span_id(span.span_id)
        else:
            record.trace_id = record.span_id = None
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
            key: REDACTED if is_secret_key(key) else _masked(redact(value))
            for key, value in log_data.items()
        }


def _masked(value: Any) -> Any:
    # Messages and tracebacks too: a library may print an address we never chose to log.
    if isinstance(value, str):
        return mask_emails(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


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
            # uvicorn (notifications) configured plain-text handlers before loading the app.
            **{
                name: {"handlers": [], "level": level, "propagate": True}
                for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
            },
        },
    }


def configure_logging(*, service: str, level: str = "INFO") -> None:
    """Apply ``logging_config`` to this process (for processes without Django settings)."""
    logging.config.dictConfig(logging_config(service=service, level=level))
    capture_warnings()


def capture_warnings() -> None:
    """Python warnings as log records (``py.warnings``), not plain text on stderr."""
    logging.captureWarnings(True)
