"""gunicorn settings and hooks of the WSGI services.

Used as ``gunicorn -c python:platform_common.observability.gunicorn``.

gunicorn trusts no proxy: forwarded scheme and address headers are Django's business,
honoured only when the gateway's secret comes with them (``platform_common.proxy``).

Prometheus multiprocess mode keeps a file per worker; a dead worker's live gauges must be
dropped from the merge, or /metrics reports connections nobody holds.

gunicorn's own lines (master and workers, access lines when enabled) are JSON like every
other line; the service is named by the WSGI module gunicorn serves (``<service>.config.wsgi``).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from typing import Any

from platform_common.observability.logging import logging_config
from platform_common.observability.metrics import mark_worker_dead

_WSGI_MODULE = re.compile(r"^(\w+)\.config\.wsgi(:\w+)?$")


def service_of(argv: Sequence[str]) -> str:
    """The service whose WSGI module is on gunicorn's command line."""
    for arg in argv:
        match = _WSGI_MODULE.match(arg)
        if match:
            return match.group(1)
    return "gunicorn"


def gunicorn_logging_config(*, service: str, level: str) -> dict[str, Any]:
    """The shared JSON config, gunicorn's loggers included (without them gunicorn would
    keep its plain-text handlers)."""
    config = logging_config(service=service, level=level)
    for name in ("gunicorn.error", "gunicorn.access"):
        config["loggers"][name] = {"handlers": [], "level": level.upper(), "propagate": True}
    return config


forwarded_allow_ips = ""
logconfig_dict = gunicorn_logging_config(
    service=service_of(sys.argv), level=os.environ.get("LOG_LEVEL") or "INFO"
)


def child_exit(server: Any, worker: Any) -> None:
    mark_worker_dead(worker.pid)
