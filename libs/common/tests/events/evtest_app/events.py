"""Handlers the library tests deliver to; faults are injected through Redis counters."""

import redis
from django.db import OperationalError

from evtest_app.models import AppliedEffect, UserCopy
from platform_common.events import Envelope, conf, subscribe
from platform_common.events.projections import apply_to_projection


class TransientFault(RuntimeError):
    pass


def fail_times(event_id: str, times: int) -> None:
    """Make record_effect fail the first ``times`` attempts at ``event_id`` (any process)."""
    client = redis.Redis.from_url(conf.redis_url())
    client.set(f"evtest:fail:{event_id}", times, ex=600)


def fail_for(event_id: str, seconds: float) -> None:
    """Make record_effect fail as if its database were down, for ``seconds`` from its first
    attempt at ``event_id``."""
    client = redis.Redis.from_url(conf.redis_url())
    client.set(f"evtest:outage-length:{event_id}", int(seconds * 1000), ex=600)


@subscribe("accounts.user.registered")
def record_effect(event: Envelope) -> None:
    AppliedEffect.objects.create(event_id=event.id, handler="record_effect")
    client = redis.Redis.from_url(conf.redis_url())
    outage_ms = client.getdel(f"evtest:outage-length:{event.id}")
    if outage_ms is not None:
        client.set(f"evtest:outage:{event.id}", 1, px=int(outage_ms))
    if client.exists(f"evtest:outage:{event.id}"):
        raise OperationalError("injected outage: the database is unavailable")
    key = f"evtest:fail:{event.id}"
    # Counted in Redis: the handler's transaction rolls back, the count must not.
    if client.exists(key) and client.decr(key) >= 0:
        raise TransientFault("injected transient failure")


@subscribe("accounts.user.registered")
def project_user(event: Envelope) -> None:
    apply_to_projection(
        model=UserCopy,
        lookup={"user_id": event.data["user_id"]},
        envelope=event,
        values={"email": event.data["email"], "display_name": event.data["display_name"]},
    )
