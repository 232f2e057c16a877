"""The two tasks of every service's worker: consume an event, purge expired rows.

Retries and dead letters are confirmed copies published before the task returns and
the original is acked, so a crash in between yields a duplicate (absorbed by the
inbox), never a loss.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from celery import Task
from django.db import close_old_connections
from kombu import Exchange
from kombu.transport.native_delayed_delivery import MAX_LEVEL, calculate_routing_key

from platform_common.events import conf, maintenance
from platform_common.events.consumer import PoisonMessage, process
from platform_common.events.topology import (
    DEAD_LETTER_EXCHANGE,
    dead_letter_queue_name,
    direct_routing_key,
)
from platform_common.events.wire import (
    ERROR_HEADER,
    ERROR_TYPE_HEADER,
    EVENT_TYPE_HEADER,
    publish_task_message,
    task_message,
)
from platform_common.observability import event_metrics
from platform_common.observability.celery_metrics import TaskState
from platform_common.observability.tracing import TRACEPARENT, current_traceparent

logger = logging.getLogger(__name__)

# Entry of Celery's native delayed delivery (declared by the worker at start-up).
DELAYED_EXCHANGE = Exchange(f"celery_delayed_{MAX_LEVEL}", type="topic", durable=True)
# The database connection's age and health (a round trip) are checked at most this often,
# and before the next event after any failure: a check per event was a quarter of the
# worker's time. A connection that broke in between fails that event, which is retried.
CONNECTION_CHECK_SECONDS = 1.0


class _ConnectionCheck(threading.local):
    """When this thread's connections are next checked (connections are per thread)."""

    due_at = 0.0


_connection_check = _ConnectionCheck()


def consume(task: Task[Any, Any], envelope: object) -> TaskState:
    """Apply one event; retry transient failures, dead-letter poison and exhausted ones.

    Returns what became of the delivery for the task metrics: a retry and a dead letter
    are copies this task publishes, so Celery alone would count both as successes.
    """
    event_type = _event_type(envelope)
    _check_connections()
    try:
        process(envelope)
    except PoisonMessage as error:
        _connection_check.due_at = 0.0
        _report_failure(event_type, will_retry=False)
        logger.error("event %s is poison, dead-lettered: %s", event_type, error)
        _dead_letter(task, envelope, error)
        return TaskState.REJECTED
    except Exception as error:
        _connection_check.due_at = 0.0
        retries = int(task.request.retries)
        will_retry = retries < conf.integer("EVENTS_MAX_RETRIES")
        _report_failure(event_type, will_retry=will_retry)
        if will_retry:
            logger.warning("event %s failed, retry %d: %s", event_type, retries + 1, error)
            _retry_later(task, envelope, countdown=retry_delay(retries))
            return TaskState.RETRIED
        logger.exception("event %s failed %d times, dead-lettered", event_type, retries + 1)
        _dead_letter(task, envelope, error)
        return TaskState.REJECTED
    return TaskState.SUCCEEDED


def _check_connections() -> None:
    """Django's per-request connection care (``close_old_connections``), throttled."""
    now = time.monotonic()
    if now >= _connection_check.due_at:
        close_old_connections()
        _connection_check.due_at = now + CONNECTION_CHECK_SECONDS


def retry_delay(retries: int) -> int:
    """Exponential backoff with equal jitter, whole seconds (native delayed delivery)."""
    ceiling = min(
        conf.number("EVENTS_RETRY_MAX_SECONDS"),
        conf.number("EVENTS_RETRY_BASE_SECONDS") * 2.0**retries,
    )
    return max(1, round(ceiling / 2 + random.uniform(0, ceiling / 2)))


@dataclass(frozen=True)
class RetrySchedule:
    """Total time a failing event is retried before it is dead-lettered, at both jitter ends."""

    shortest_total: float
    longest_total: float


def retry_schedule(*, max_retries: int, base_seconds: float, max_seconds: float) -> RetrySchedule:
    shortest = longest = 0.0
    for retries in range(max_retries):
        ceiling = min(max_seconds, base_seconds * 2.0**retries)
        shortest += max(1, round(ceiling / 2))
        longest += max(1, round(ceiling))
    return RetrySchedule(shortest_total=shortest, longest_total=longest)


def purge_expired() -> None:
    outbox_deleted, inbox_deleted = maintenance.purge_expired()
    logger.info("purged %d sent outbox rows, %d inbox rows", outbox_deleted, inbox_deleted)


def _retry_later(task: Task[Any, Any], envelope: object, *, countdown: int) -> None:
    # Not task.retry(): it would route by the original key (the event type), and the
    # copy would reach every service subscribed to it. The private key reaches only ours.
    routing_key = calculate_routing_key(countdown, direct_routing_key(conf.service_name()))
    _publish_copy(
        task,
        envelope,
        exchange=DELAYED_EXCHANGE,
        routing_key=routing_key,
        headers={"retries": task.request.retries + 1},
    )


def _dead_letter(task: Task[Any, Any], envelope: object, error: BaseException) -> None:
    event_metrics.dead_lettered(service=conf.service_name(), event_type=_event_type(envelope))
    _publish_copy(
        task,
        envelope,
        exchange=DEAD_LETTER_EXCHANGE,
        routing_key=dead_letter_queue_name(conf.service_name()),
        headers={
            ERROR_TYPE_HEADER: type(error).__name__,
            ERROR_HEADER: str(error)[:1000],
            "x-attempts": task.request.retries + 1,
            "x-failed-at": datetime.now(UTC).isoformat(),
        },
    )


def _publish_copy(
    task: Task[Any, Any],
    envelope: object,
    *,
    exchange: Exchange,
    routing_key: str,
    headers: dict[str, Any],
) -> None:
    message = task_message(
        task_id=str(task.request.id),
        args=[envelope],
        origin=f"worker@{conf.service_name()}",
        # The task's span continues in the copy's delivery.
        extra_headers={
            EVENT_TYPE_HEADER: _event_type(envelope),
            TRACEPARENT: current_traceparent(),
            **headers,
        },
    )
    # Unroutable propagates: the task fails, Celery rejects the delivery and RabbitMQ
    # dead-letters the original (at-least-once), so the event is kept either way.
    with task.app.producer_or_acquire() as producer:
        publish_task_message(producer, message, exchange=exchange, routing_key=routing_key)


def _report_failure(event_type: str, *, will_retry: bool) -> None:
    event_metrics.failed(service=conf.service_name(), event_type=event_type, will_retry=will_retry)


def _event_type(envelope: object) -> str:
    if isinstance(envelope, dict) and isinstance(envelope.get("type"), str):
        return str(envelope["type"])
    return "unknown"
