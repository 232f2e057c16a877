"""Handlers the library tests deliver to; faults are injected through Redis counters."""

import redis

from evtest_app.models import AppliedEffect, UserCopy
from platform_common.events import Envelope, conf, subscribe
from platform_common.events.projections import apply_to_projection


class TransientFault(RuntimeError):
    pass


def fail_times(event_id: str, times: int) -> None:
    """Make record_effect fail the first ``times`` attempts at ``event_id`` (any process)."""
    client = redis.Redis.from_url(conf.redis_url())
    client.set(f"evtest:fail:{event_id}", times, ex=600)


@subscribe("accounts.user.registered")
def record_effect(event: Envelope) -> None:
    AppliedEffect.objects.create(event_id=event.id, handler="record_effect")
    client = redis.Redis.from_url(conf.redis_url())
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
