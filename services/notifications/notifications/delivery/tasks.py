"""The delivery task: one Celery task per delivery, retried with exponential backoff.

Registered on the service's Celery app in ``config/celery.py``; it travels on the
service's own queue through its private routing key, like the events' purge task.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from celery import Task

from notifications.delivery.digests import digests_send_due
from notifications.delivery.fanout import FollowersJob, notify_followers_page
from notifications.delivery.services import (
    deliveries_requeue_stale,
    delivery_attempt,
    delivery_fail,
)

logger = logging.getLogger(__name__)

DELIVER_TASK = "notifications.delivery.deliver"
FAN_OUT_TASK = "notifications.delivery.fan_out"
DIGESTS_TASK = "notifications.delivery.send_digests"
REQUEUE_TASK = "notifications.delivery.requeue_stale"
REQUEUE_EVERY_SECONDS = 300.0
# How often beat looks for due digests (an hourly digest leaves at most this late).
DIGESTS_EVERY_SECONDS = 300.0
# Attempts after the first, and the backoff between them: 5 s doubling up to 15 min,
# jittered (about an hour in all) before a delivery is given up as failed.
MAX_RETRIES = 8
RETRY_BASE_SECONDS = 5.0
RETRY_MAX_SECONDS = 900.0


def retry_countdown(retries: int) -> int:
    """Exponential backoff with equal jitter, whole seconds."""
    ceiling = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2.0**retries)
    return max(1, round(ceiling / 2 + random.uniform(0, ceiling / 2)))


def deliver(task: Task[Any, Any], delivery_id: str) -> None:
    attempt = delivery_attempt(delivery_id=UUID(delivery_id))
    if attempt.defer_until is not None:
        # Quiet hours: the same delivery runs again once they end.
        task.apply_async(args=(delivery_id,), eta=attempt.defer_until)
        return
    if not attempt.retry:
        return
    if task.request.retries >= MAX_RETRIES:
        delivery_fail(delivery_id=UUID(delivery_id), reason="")
        return
    raise task.retry(countdown=retry_countdown(task.request.retries))


def delivery_enqueue(delivery_ids: Iterable[UUID]) -> None:
    """Queue one task per delivery (called once the deliveries are committed)."""
    from notifications.config.celery import app

    for delivery_id in delivery_ids:
        app.send_task(DELIVER_TASK, args=[str(delivery_id)])


def fan_out(job: dict[str, Any]) -> None:
    """Notify one page of followers, then queue the rest (a task per page)."""
    rest = notify_followers_page(job=FollowersJob.from_json(job))
    if rest is not None:
        fan_out_enqueue(rest)


def fan_out_enqueue(job: FollowersJob) -> None:
    from notifications.config.celery import app

    app.send_task(FAN_OUT_TASK, args=[job.to_json()])


def send_digests() -> None:
    sent = digests_send_due()
    if sent:
        logger.info("digests sent", extra={"digests": sent})


def requeue_stale() -> None:
    requeued = deliveries_requeue_stale()
    if requeued:
        logger.warning("stale deliveries queued again", extra={"deliveries": requeued})
