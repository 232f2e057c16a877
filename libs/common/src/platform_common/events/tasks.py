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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from celery import Celery, Task
from django.db import close_old_connections, transaction
from kombu import Exchange
from kombu.transport.native_delayed_delivery import MAX_LEVEL, calculate_routing_key

from platform_common.events import conf, maintenance
from platform_common.events.consumer import PoisonMessage, apply, claim_all, parse
from platform_common.events.envelope import Envelope
from platform_common.events.topology import (
    DEAD_LETTER_EXCHANGE,
    dead_letter_queue_name,
    direct_routing_key,
)
from platform_common.events.wire import (
    CONSUME_TASK,
    ERROR_HEADER,
    ERROR_TYPE_HEADER,
    EVENT_TYPE_HEADER,
    publish_task_message,
    task_message,
)
from platform_common.observability import event_metrics
from platform_common.observability.celery_metrics import TaskState
from platform_common.observability.tracing import (
    TRACEPARENT,
    current_traceparent,
    delivery_span,
)

logger = logging.getLogger(__name__)

# Entry of Celery's native delayed delivery (declared by the worker at start-up).
DELAYED_EXCHANGE = Exchange(f"celery_delayed_{MAX_LEVEL}", type="topic", durable=True)
# The database connection's age and health (a round trip) are checked at most this often,
# and before the next event after any failure: a check per event was a quarter of the
# worker's time. A connection that broke in between fails that event, which is retried.
CONNECTION_CHECK_SECONDS = 1.0
# The span of each delivery, named as Celery's instrumentation names a task's run.
CONSUME_SPAN = f"run/{CONSUME_TASK}"


class _ConnectionCheck(threading.local):
    """When this thread's connections are next checked (connections are per thread)."""

    due_at = 0.0


_connection_check = _ConnectionCheck()


@dataclass(frozen=True)
class Delivery:
    """One event message as the worker took it: all a pool thread or child needs."""

    task_id: str
    envelope: object  # the decoded task argument, parsed (and maybe refused) by the batch
    retries: int
    traceparent: str  # the sender's span (relay, retry), parent of the delivery's span


@dataclass(frozen=True)
class Outcome:
    """What became of a delivery; ``unpublished``: why FAILED (no copy could be published)."""

    state: TaskState
    unpublished: Exception | None = None


class BatchRolledBack(RuntimeError):
    """The batch's transaction was marked for rollback: nothing of it committed."""


def consume(task: Task[Any, Any], envelope: object) -> TaskState:
    """The consume task's body: one event as a batch of one (the worker itself hands the
    pool whole batches, see ``strategy``). A copy that could not be published raises, so
    that Celery rejects the delivery and RabbitMQ dead-letters it."""
    delivery = Delivery(
        task_id=str(task.request.id),
        envelope=envelope,
        retries=int(task.request.retries or 0),
        traceparent=current_traceparent(),
    )
    [outcome] = consume_batch(task.app, [delivery])
    if outcome.unpublished is not None:
        raise outcome.unpublished
    return outcome.state


def consume_batch(app: Celery, deliveries: Sequence[Delivery]) -> list[Outcome]:
    """Apply events in one transaction; retry transient failures, dead-letter poison and
    exhausted ones.

    One commit per batch instead of one per event. A failing event is left out and its
    neighbours applied again, so they commit and it is retried as before; if the
    transaction as a whole fails, every event of the batch is retried (an event that was
    applied meanwhile finds its inbox row). Returns what became of each delivery, in order:
    acked (succeeded, retried, rejected: a copy was published) or FAILED (no copy could be
    published: the worker rejects it and RabbitMQ dead-letters the original).
    """
    _check_connections()
    states: dict[int, Outcome] = {}
    envelopes: dict[int, Envelope] = {}
    for index, delivery in enumerate(deliveries):
        try:
            envelopes[index] = parse(delivery.envelope)
        except PoisonMessage as error:
            event_type = _event_type(delivery.envelope)
            _report_failure(event_type, will_retry=False)
            logger.error("event %s is poison, dead-lettered: %s", event_type, error)
            states[index] = _settle(app, delivery, error, dead_letter=True)
    failures = _apply_all(deliveries, envelopes)
    for index, envelope in envelopes.items():
        failure = failures.get(index)
        if failure is None:
            # The line Celery wrote per task before batches: which worker applied an event.
            logger.info("event %s [%s] handled", envelope.type, envelope.id)
            states[index] = Outcome(TaskState.SUCCEEDED)
        else:
            states[index] = _failed(app, deliveries[index], envelope, failure)
    if failures:
        _connection_check.due_at = 0.0
    return [states[index] for index in range(len(deliveries))]


def _apply_all(
    deliveries: Sequence[Delivery], envelopes: dict[int, Envelope]
) -> dict[int, Exception]:
    """Apply the batch in one transaction; returns the events that failed.

    A failing event rolls the attempt back and the others are applied again without it,
    until an attempt commits: no savepoint per event (two statements each, and Postgres
    slows past 64 of them in a transaction), at the price of applying the others again
    after a failure, which is rare. A failure outside any handler fails them all.
    """
    failures: dict[int, Exception] = {}
    pending = dict(envelopes)
    while pending:
        try:
            _apply_together(deliveries, pending)
        except _EventFailed as failed:
            failures[failed.index] = failed.error
            del pending[failed.index]
        except Exception as error:
            return {index: failures.get(index, error) for index in envelopes}
        else:
            break
    return failures


class _EventFailed(Exception):
    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(str(error))
        self.index = index
        self.error = error


def _apply_together(deliveries: Sequence[Delivery], envelopes: dict[int, Envelope]) -> None:
    """One transaction: one statement claims every inbox row, then each event's handlers
    run in the delivery's span; the first failing event raises ``_EventFailed``."""
    with transaction.atomic():
        claimed = claim_all(list(envelopes.values()))
        for index, envelope in envelopes.items():
            try:
                with delivery_span(CONSUME_SPAN, traceparent=deliveries[index].traceparent):
                    apply(envelope, claimed=claimed)
            except Exception as error:
                raise _EventFailed(index, error) from error
        # A handler that swallowed a database error leaves the transaction to roll back,
        # silently on exit: then nothing of the batch holds.
        if transaction.get_rollback():
            raise BatchRolledBack("the batch's transaction was rolled back")


def _failed(app: Celery, delivery: Delivery, envelope: Envelope, error: Exception) -> Outcome:
    will_retry = delivery.retries < conf.integer("EVENTS_MAX_RETRIES")
    _report_failure(envelope.type, will_retry=will_retry)
    if will_retry:
        logger.warning("event %s failed, retry %d: %s", envelope.type, delivery.retries + 1, error)
    else:
        logger.error(
            "event %s failed %d times, dead-lettered: %s",
            envelope.type,
            delivery.retries + 1,
            error,
        )
    return _settle(app, delivery, error, dead_letter=not will_retry)


def _settle(app: Celery, delivery: Delivery, error: Exception, *, dead_letter: bool) -> Outcome:
    """Publish the retry or dead-letter copy; FAILED when the broker took neither."""
    try:
        if dead_letter:
            _dead_letter(app, delivery, error)
            return Outcome(TaskState.REJECTED)
        _retry_later(app, delivery, countdown=retry_delay(delivery.retries))
    except Exception as unpublished:
        logger.exception("event %s: no copy published, rejected", delivery.task_id)
        return Outcome(TaskState.FAILED, unpublished)
    return Outcome(TaskState.RETRIED)


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


def _retry_later(app: Celery, delivery: Delivery, *, countdown: int) -> None:
    # Not task.retry(): it would route by the original key (the event type), and the
    # copy would reach every service subscribed to it. The private key reaches only ours.
    routing_key = calculate_routing_key(countdown, direct_routing_key(conf.service_name()))
    _publish_copy(
        app,
        delivery,
        exchange=DELAYED_EXCHANGE,
        routing_key=routing_key,
        headers={"retries": delivery.retries + 1},
    )


def _dead_letter(app: Celery, delivery: Delivery, error: BaseException) -> None:
    event_metrics.dead_lettered(
        service=conf.service_name(), event_type=_event_type(delivery.envelope)
    )
    _publish_copy(
        app,
        delivery,
        exchange=DEAD_LETTER_EXCHANGE,
        routing_key=dead_letter_queue_name(conf.service_name()),
        headers={
            ERROR_TYPE_HEADER: type(error).__name__,
            ERROR_HEADER: str(error)[:1000],
            "x-attempts": delivery.retries + 1,
            "x-failed-at": datetime.now(UTC).isoformat(),
        },
    )


def _publish_copy(
    app: Celery,
    delivery: Delivery,
    *,
    exchange: Exchange,
    routing_key: str,
    headers: dict[str, Any],
) -> None:
    message = task_message(
        task_id=delivery.task_id,
        args=[delivery.envelope],
        origin=f"worker@{conf.service_name()}",
        # The delivery's span continues in the copy's delivery.
        extra_headers={
            EVENT_TYPE_HEADER: _event_type(delivery.envelope),
            TRACEPARENT: current_traceparent() or delivery.traceparent,
            **headers,
        },
    )
    # Unroutable propagates: the delivery is rejected and RabbitMQ dead-letters the
    # original (at-least-once), so the event is kept either way.
    with app.producer_or_acquire() as producer:
        publish_task_message(producer, message, exchange=exchange, routing_key=routing_key)


def _report_failure(event_type: str, *, will_retry: bool) -> None:
    event_metrics.failed(service=conf.service_name(), event_type=event_type, will_retry=will_retry)


def _event_type(envelope: object) -> str:
    if isinstance(envelope, dict) and isinstance(envelope.get("type"), str):
        return str(envelope["type"])
    return "unknown"
