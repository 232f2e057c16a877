"""Entry point of every platform image: the first argument names the process role.

One image per deployable; the role is its argument (a Kubernetes container's ``args``):

    web       the HTTP server (gunicorn for accounts and content, uvicorn for notifications
              and the gateway), bound to ``$HOST:$PORT`` (default 0.0.0.0:8000)
    worker    the Celery worker consuming ``<service>.events``
    beat      the Celery beat scheduler (run exactly one)
    relay     the transactional outbox relay (``manage.py run_outbox_relay``)
    migrate   ``manage.py migrate``, then ``manage.py events topology declare``: the job
              that runs before any web process or relay of a release

Arguments after the role are appended to its command (``worker --concurrency 4``). Any
other first argument is run as given (``python manage.py events dlq list``). Each role
replaces this process (``exec``), so the server is PID 1 and receives SIGTERM itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping

APP_DIR = "/app"
DJANGO_SERVICES = ("accounts", "content", "notifications")
GUNICORN_SERVICES = ("accounts", "content")


def _bind() -> tuple[str, str]:
    return os.environ.get("HOST", "0.0.0.0"), os.environ.get("PORT", "8000")  # noqa: S104


def _web(service: str) -> list[str]:
    host, port = _bind()
    if service in GUNICORN_SERVICES:
        return [
            "gunicorn",
            "-c",
            "python:platform_common.observability.gunicorn",
            f"{service}.config.wsgi",
            "--bind",
            f"{host}:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            os.environ.get("WEB_CONCURRENCY", "2"),
            "--threads",
            os.environ.get("WEB_THREADS", "4"),
            "--graceful-timeout",
            os.environ.get("WEB_GRACEFUL_TIMEOUT", "25"),
            # Heartbeat files in memory: the root filesystem is read-only in a pod.
            "--worker-tmp-dir",
            "/dev/shm",  # noqa: S108
            "--no-control-socket",
        ]
    if service == "gateway":
        # The gateway's own server (request-head limits and deadlines). Behind an ingress,
        # FORWARDED_ALLOW_IPS names the proxies whose X-Forwarded-For it may believe.
        trusted = os.environ.get("FORWARDED_ALLOW_IPS", "")
        forwarded = ["--forwarded-allow-ips", trusted] if trusted else []
        return [sys.executable, "-m", "gateway", "--host", host, "--port", port, *forwarded]
    # A service behind the gateway trusts forwarded headers only through the shared proxy
    # secret (Django's middleware): uvicorn must not interpret them on its own.
    return [
        "uvicorn", "notifications.config.asgi:application", "--host", host, "--port", port,
        "--no-access-log", "--no-proxy-headers",
    ]  # fmt: skip


def _celery(service: str, command: str) -> list[str]:
    if command == "worker":
        concurrency = os.environ.get("CELERY_CONCURRENCY", "2")
        return [
            "celery", "-q", "-A", f"{service}.config.celery", "worker", "-P", "threads",
            "-n", f"{service}@%h", "--concurrency", concurrency, "-l", "INFO",
        ]  # fmt: skip
    # The schedule file is state beat rewrites: keep it on the writable /tmp.
    return [
        "celery", "-q", "-A", f"{service}.config.celery", "beat",
        "-s", "/tmp/celerybeat-schedule", "--pidfile=", "-l", "INFO",  # noqa: S108
    ]  # fmt: skip


def _manage(*args: str) -> list[str]:
    return [sys.executable, f"{APP_DIR}/manage.py", *args]


ROLES: Mapping[str, Callable[[str], list[str]]] = {
    "web": _web,
    "worker": lambda service: _celery(service, "worker"),
    "beat": lambda service: _celery(service, "beat"),
    "relay": lambda service: _manage("run_outbox_relay"),
    "migrate": lambda service: _manage("events", "topology", "declare"),
}


def _prepare_metrics_dir() -> None:
    """Give gunicorn's workers (or a Celery worker's pool) an empty multiprocess metrics
    directory (a fresh one per start: files left by an earlier server would be merged into
    this one's figures)."""
    directory = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", "/tmp/prometheus")  # noqa: S108
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)


def command_for(service: str, role: str, extra: list[str]) -> list[str]:
    """The command line of ``role`` for ``service`` (ValueError for a role it lacks)."""
    if service not in DJANGO_SERVICES and role != "web":
        raise ValueError(f"{service} has only the web role, not {role!r}")
    return [*ROLES[role](service), *extra]


def main(argv: list[str]) -> None:
    service = os.environ["PLATFORM_SERVICE"]
    if not argv:
        argv = ["web"]
    role, extra = argv[0], argv[1:]
    if role not in ROLES:
        os.execvp(role, argv)  # noqa: S606
    try:
        command = command_for(service, role, extra)
    except ValueError as error:
        sys.exit(f"entrypoint: {error}")
    if role == "migrate":
        # Tables first (on the read-write database), then the exchanges and queues.
        migrated = subprocess.run(_manage("migrate", "--noinput"), check=False)  # noqa: S603
        if migrated.returncode:
            sys.exit(migrated.returncode)
    if (role == "web" and service in GUNICORN_SERVICES) or role == "worker":
        _prepare_metrics_dir()
    os.execvp(command[0], command)  # noqa: S606


if __name__ == "__main__":
    main(sys.argv[1:])
