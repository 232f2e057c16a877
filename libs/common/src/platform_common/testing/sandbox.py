"""Throwaway Django projects that run nothing but the event backbone.

The library's pipeline tests, the zero-loss fault test and the events benchmark each keep
a tiny project (``<service>_settings``, ``<service>_app``, ``<service>_celery``) on a
database and RabbitMQ vhost of their own. What they have in common lives here: the
settings, the producer loop and the worker's command line. Importing this module needs
no configured Django, so a settings module can use it.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from django.db import transaction

from platform_common import events
from platform_common.settings import build_settings


def sandbox_settings(service: str, settings_file: str) -> dict[str, Any]:
    """Settings of ``service`` with app ``<service>_app`` (beside ``settings_file``), on a
    database and RabbitMQ vhost both named ``<service>_events``.

    A settings module is one line: ``globals().update(sandbox_settings("chaos", __file__))``.
    Environment variables already set win (the test and benchmark drivers point the
    processes they start at their database this way). The cache is in-process: the
    events code uses none, and a sandbox must not depend on the Redis Cluster.
    """
    database = vhost = f"{service}_events"
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}")
    os.environ.setdefault("AMQP_URL", f"amqp://guest:guest@127.0.0.1:5672/{vhost}")
    os.environ.setdefault("DJANGO_SECRET_KEY", f"{service}-sandbox-only")
    os.environ.setdefault("JWT_ISSUER", "http://issuer.test")
    os.environ.setdefault("JWKS_URL", "http://127.0.0.1:1/jwks.json")
    os.environ.setdefault("GATEWAY_PROXY_SECRET", f"{service}-sandbox-only")
    settings = build_settings(
        service=service,
        base_dir=Path(settings_file).parent,
        apps=[f"{service}_app"],
        root_urlconf=f"{service}_app.urls",
    )
    settings["CACHES"] = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return settings


def produce(count: int, *, email: str, display_name: str, rate: float = 0.0) -> None:
    """Publish ``count`` ``accounts.user.registered`` events, one per transaction, at
    ``rate`` per second (0 = flat out)."""
    interval = 1 / rate if rate else 0.0
    started = time.monotonic()
    for index in range(count):
        # Pace against the start, so a slow commit does not lower the average rate.
        delay = started + index * interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        user_id = str(uuid.uuid4())
        with transaction.atomic():
            events.publish(
                type="accounts.user.registered",
                data={"user_id": user_id, "email": email, "display_name": display_name},
                aggregate_id=user_id,
                aggregate_version=1,
            )


def worker_command(celery_app: str, *, concurrency: int, pool: str = "threads") -> list[str]:
    """The Celery worker of a sandbox (``celery_app`` is its ``-A`` module), quiet and
    without the cluster chatter a single worker does not need; on the pool the services'
    workers run (threads) unless told otherwise."""
    return [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        celery_app,
        "worker",
        "-P",
        pool,
        "-c",
        str(concurrency),
        "-l",
        "WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
