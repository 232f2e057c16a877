"""How the worker takes event messages: several per pool job, one transaction per job.

Celery runs a task per message: its request, tracer and signals cost more CPU than the
event's own work, and each event paid a commit. The consume task's strategy (Celery's
per-task hook for incoming messages) instead queues each event message here; whenever a
pool slot is free, one job takes every queued message (up to ``MAX_BATCH``) and applies
them with ``tasks.consume_batch``. A message that finds a free slot waits ``LINGER_SECONDS``
for others to join it (a full batch starts at once): a job of one event costs about
twice the CPU per event of a job of eight, and under a burst that CPU is taken from the
producers. Under a trickle a job carries one event, a few milliseconds later.

Acknowledgement is unchanged: each message is acked only after its batch committed (or
its retry or dead-letter copy was confirmed), and rejected, so that RabbitMQ dead-letters
it, when neither happened. Messages still queued or in a job when the worker dies are
unacked and come back; the inbox absorbs what had been applied. The prefetch window
(``worker_prefetch_multiplier`` x concurrency) bounds how many wait here.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery import Celery, Task, current_app
from celery.worker.consumer import Consumer
from kombu import Message

from platform_common.events import conf
from platform_common.events.tasks import Delivery, consume_batch
from platform_common.events.wire import CONSUME_TASK
from platform_common.observability import celery_metrics
from platform_common.observability.celery_metrics import TaskState
from platform_common.observability.tracing import TRACEPARENT

logger = logging.getLogger(__name__)

# Events per job at most; the prefetch window usually bounds a batch first. A failing
# event makes the rest of its batch apply again, and a batch holds its row locks until
# it commits: both grow with the batch.
MAX_BATCH = 16
# How long a message that found a free slot waits for others (on the consumer's event
# loop; without one, jobs start at once).
LINGER_SECONDS = 0.003
# Outcomes after which the message is acked; anything else is rejected (dead-lettered).
_ACKED = {TaskState.SUCCEEDED.value, TaskState.RETRIED.value, TaskState.REJECTED.value}

MessageHandler = Callable[..., None]


@dataclass(frozen=True)
class _Held:
    delivery: Delivery
    ack: Callable[..., Any]
    reject: Callable[..., Any]


class EventBatcher:
    """Queues event messages and keeps at most ``slots`` batch jobs in the pool."""

    def __init__(self, *, consumer: Consumer) -> None:
        self._pool = consumer.pool
        # kombu's Hub: the consumer's event loop, which the linger's timer runs on.
        self._hub: Any = getattr(consumer, "hub", None)
        self._slots = max(1, int(consumer.pool.limit or 1))
        self._connection_errors: tuple[type[BaseException], ...] = getattr(
            consumer, "connection_errors", ()
        )
        self._lock = threading.Lock()
        self._queued: deque[_Held] = deque()
        self._running = 0
        self._in_jobs = 0
        self._lingering = False

    def held(self) -> int:
        """Messages taken from the broker and not yet settled (queued or in a job)."""
        with self._lock:
            return len(self._queued) + self._in_jobs

    def close(self) -> None:
        """The consumer restarted (a new connection): the broker hands back every message
        left unacked on the old one, so those still queued here are dropped."""
        with self._lock:
            self._queued.clear()
            self._running = self._slots  # no new jobs from the old connection

    def receive(
        self, message: Message, ack: Callable[..., Any], reject: Callable[..., Any]
    ) -> None:
        try:
            delivery = _delivery(message)
        except (ValueError, TypeError, KeyError, IndexError) as error:
            # Celery would ack (and lose) a message it cannot decode: dead-letter it.
            logger.error("undecodable event message dead-lettered: %s", error)
            celery_metrics.rejected(service=conf.service_name())
            reject(logger, self._connection_errors, False)
            return
        with self._lock:
            self._queued.append(_Held(delivery, ack, reject))
            linger = self._hub is not None and len(self._queued) < MAX_BATCH
            if linger and not self._lingering:
                self._lingering = True
                self._hub.call_later(LINGER_SECONDS, self._flush)
            batch = [] if linger else self._take()
        if batch:
            self._start(batch)

    def _flush(self) -> None:
        """The linger is over: start a job with what queued meanwhile, if a slot is free."""
        with self._lock:
            self._lingering = False
            batch = self._take()
        if batch:
            self._start(batch)

    def _take(self) -> list[_Held]:
        """The next job's messages, if a slot is free (the caller holds the lock)."""
        if self._running >= self._slots or not self._queued:
            return []
        batch = [self._queued.popleft() for _ in range(min(MAX_BATCH, len(self._queued)))]
        self._running += 1
        self._in_jobs += len(batch)
        return batch

    def _start(self, batch: list[_Held]) -> None:
        self._pool.apply_async(
            run_batch,
            args=([held.delivery for held in batch],),
            callback=lambda states: self._settle(batch, states),
            # A prefork child that died mid-job: its messages go back to the queue.
            error_callback=lambda _error: self._settle(batch, None),
        )

    def _settle(self, batch: list[_Held], states: list[str] | None) -> None:
        """After a job (in its pool thread, or in the main process for prefork): ack or
        reject each message, then start the next job if messages wait. ``None``: the job
        was lost, its messages are requeued (RabbitMQ counts the delivery)."""
        for index, held in enumerate(batch):
            if states is None:
                held.reject(logger, self._connection_errors, True)
            elif states[index] in _ACKED:
                held.ack(logger, self._connection_errors)
            else:
                held.reject(logger, self._connection_errors, False)
        with self._lock:
            self._running -= 1
            self._in_jobs -= len(batch)
            following = self._take()
        if following:
            self._start(following)


def run_batch(deliveries: list[Delivery]) -> list[str]:
    """A pool job (a thread, or a prefork child): never raises, so every message settles."""
    app: Celery = current_app
    started = time.perf_counter()
    try:
        states = [outcome.state for outcome in consume_batch(app, deliveries)]
    except Exception:
        logger.exception("a batch of %d events failed; its messages are rejected", len(deliveries))
        states = [TaskState.FAILED] * len(deliveries)
    seconds = time.perf_counter() - started
    for state in states:
        celery_metrics.task_done(
            service=conf.service_name(), task=CONSUME_TASK, state=state, seconds=seconds
        )
    return [state.value for state in states]


def _delivery(message: Message) -> Delivery:
    """The event message's task id, argument, retry count and trace context (protocol 2:
    headers, and a body ``[args, kwargs, embed]``)."""
    headers = message.headers
    body: Any = message.body  # str once kombu decoded it, else bytes or a buffer
    args = json.loads(body if isinstance(body, str | bytes) else bytes(body))[0]
    return Delivery(
        task_id=str(headers["id"]),
        envelope=args[0],
        retries=int(headers.get("retries") or 0),
        traceparent=str(headers.get(TRACEPARENT) or ""),
    )


_batchers: list[EventBatcher] = []


def held_deliveries() -> int:
    """Event messages this worker holds unacked (the backlog monitor adds them to the lag)."""
    return sum(batcher.held() for batcher in _batchers)


def batched(task: Task[Any, Any], app: Celery, consumer: Consumer, **_: Any) -> MessageHandler:
    """The consume task's strategy (``Task.Strategy``): built once per consumer start."""
    batcher = EventBatcher(consumer=consumer)
    for previous in _batchers:
        previous.close()
    _batchers[:] = [batcher]

    def on_message(
        message: Message, body: object, ack: Callable[..., Any], reject: Callable[..., Any], *_: Any
    ) -> None:
        batcher.receive(message, ack, reject)

    return on_message
