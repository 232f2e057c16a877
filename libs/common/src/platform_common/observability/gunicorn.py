"""gunicorn settings and hooks of the WSGI services.

Used as ``gunicorn -c python:platform_common.observability.gunicorn``.

gunicorn trusts no proxy: forwarded scheme and address headers are Django's business,
honoured only when the gateway's secret comes with them (``platform_common.proxy``).

Prometheus multiprocess mode keeps a file per worker; a dead worker's live gauges must be
dropped from the merge, or /metrics reports connections nobody holds.
"""

from __future__ import annotations

from typing import Any

from platform_common.observability.metrics import mark_worker_dead

forwarded_allow_ips = ""


def child_exit(server: Any, worker: Any) -> None:
    mark_worker_dead(worker.pid)
