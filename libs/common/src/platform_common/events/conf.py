"""Tunables of the events app; the settings builder reads each from the environment."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

DEFAULTS: dict[str, float] = {
    # Consumer: attempts after the first, and the first backoff (doubles, capped, jittered).
    # 14 retries of 2 s doubling to 300 s wait 19 min at the least (38 at most) before an
    # event is dead-lettered: a dependency outage of 15 minutes needs no operator.
    "EVENTS_MAX_RETRIES": 14,
    "EVENTS_RETRY_BASE_SECONDS": 2,
    "EVENTS_RETRY_MAX_SECONDS": 300,
    # Relay: rows per batch (one transaction, one confirm wait), idle poll interval.
    "EVENTS_RELAY_BATCH_SIZE": 500,
    "EVENTS_RELAY_POLL_SECONDS": 1.0,
    # Relay: a row the broker refuses is tried again after 1 s doubling to 300 s, and
    # quarantined after 12 attempts (about 18 minutes).
    "EVENTS_OUTBOX_MAX_ATTEMPTS": 12,
    "EVENTS_OUTBOX_RETRY_BASE_SECONDS": 1,
    "EVENTS_OUTBOX_RETRY_MAX_SECONDS": 300,
    # Housekeeping: sent outbox rows and inbox rows older than this are deleted.
    "EVENTS_OUTBOX_RETENTION_HOURS": 24 * 7,
    "EVENTS_INBOX_RETENTION_HOURS": 24 * 30,
}


def service_name() -> str:
    name: str = settings.SERVICE_NAME
    return name


def redis_url() -> str:
    url: str = settings.REDIS_URL
    return url


def broker_url() -> str:
    url: str = settings.CELERY_BROKER_URL
    return url


def metrics_port() -> int:
    """Where a worker or relay serves /metrics (0: nowhere)."""
    return int(getattr(settings, "METRICS_PORT", 0))


def number(name: str) -> float:
    value: float = getattr(settings, name, DEFAULTS[name])
    return value


def integer(name: str) -> int:
    return int(number(name))


def hours(name: str) -> timedelta:
    return timedelta(hours=number(name))
