"""The outbox relay: moves committed outbox rows to RabbitMQ, each at least once.

One pass = one DB transaction: lock up to ``batch_size`` due rows (FOR UPDATE SKIP
LOCKED, so concurrent relays take disjoint rows), publish them all (mandatory), await
every publisher confirm, then mark them sent and commit. A lost connection rolls the
pass back and the rows are published again later (the consumers' inbox absorbs
duplicates). A row the broker refuses on its own (returned because no queue takes it,
nacked) or whose envelope cannot be read stays pending with its error and a later
``next_attempt_at``, and is quarantined after ``EVENTS_OUTBOX_MAX_ATTEMPTS``: it is
kept and reported, and the rows behind it keep flowing.

The ORM runs in one dedicated thread (Django connections are per thread) while the
event loop drives aio-pika; a pass blocks that thread until the loop has the confirms.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import aio_pika
import redis.asyncio as aioredis
from django.db import close_old_connections, connections, transaction
from django.db.models import Q
from django.utils import timezone

from platform_common import heartbeat
from platform_common.events import conf
from platform_common.events.envelope import Envelope, InvalidEnvelope
from platform_common.events.maintenance import outbox_status
from platform_common.events.models import OutboxMessage
from platform_common.events.nudge import nudge_channel
from platform_common.events.topology import EVENTS_EXCHANGE, declare_service_topology
from platform_common.events.wire import CONTENT_ENCODING, CONTENT_TYPE, event_message
from platform_common.observability import event_metrics
from platform_common.observability.tracing import producer_span

logger = logging.getLogger(__name__)

CONFIRM_TIMEOUT_SECONDS = 30.0
INITIAL_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0
# Backlog figures cost two queries: measured at most this often, not on every pass.
STATUS_EVERY_SECONDS = 5.0

# Publishes a batch; returns the refused ones: event id -> why.
PublishBatch = Callable[[list[Envelope]], dict[uuid.UUID, str]]
_R = TypeVar("_R")


@dataclass(frozen=True)
class RelaySettings:
    service: str
    amqp_url: str
    redis_url: str
    batch_size: int
    poll_seconds: float


def drain_once(*, batch_size: int, publish_batch: PublishBatch) -> int:
    """Publish one batch of due rows; returns how many rows the pass handled."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, quarantined_at__isnull=True)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .order_by("id")[:batch_size]
        )
        if not rows:
            return 0
        refused: dict[int, str] = {}
        readable: dict[uuid.UUID, OutboxMessage] = {}
        envelopes: list[Envelope] = []
        for row in rows:
            try:
                envelope = Envelope.from_dict(row.envelope)
            except (InvalidEnvelope, TypeError, ValueError) as error:
                refused[row.id] = f"unreadable envelope: {error}"
                continue
            readable[envelope.id] = row
            envelopes.append(envelope)
        # The row locks are held until the broker has confirmed every message.
        if envelopes:
            for event_id, reason in publish_batch(envelopes).items():
                refused[readable[event_id].id] = reason
        OutboxMessage.objects.filter(
            id__in=[row.id for row in rows if row.id not in refused]
        ).update(sent_at=now)
        for row in rows:
            if row.id in refused:
                _record_failure(row, refused[row.id], now=now)
    return len(rows)


def outbox_retry_delay(attempts: int) -> timedelta:
    """Wait before the next attempt at a refused row: doubling, capped."""
    seconds = min(
        conf.number("EVENTS_OUTBOX_RETRY_MAX_SECONDS"),
        conf.number("EVENTS_OUTBOX_RETRY_BASE_SECONDS") * 2.0 ** (attempts - 1),
    )
    return timedelta(seconds=seconds)


def _record_failure(row: OutboxMessage, error: str, *, now: datetime) -> None:
    row.attempts += 1
    row.last_error = error[:1000]
    if row.attempts >= conf.integer("EVENTS_OUTBOX_MAX_ATTEMPTS"):
        row.quarantined_at = now
        logger.error(
            "outbox row %s (%s) quarantined after %d attempts: %s",
            row.event_id,
            row.event_type,
            row.attempts,
            row.last_error,
        )
        event_metrics.outbox_quarantined(service=conf.service_name(), event_type=row.event_type)
    else:
        row.next_attempt_at = now + outbox_retry_delay(row.attempts)
        logger.warning(
            "outbox row %s (%s) refused, attempt %d: %s",
            row.event_id,
            row.event_type,
            row.attempts,
            row.last_error,
        )
    row.save(update_fields=["attempts", "last_error", "next_attempt_at", "quarantined_at"])


class OutboxRelay:
    def __init__(self, relay_settings: RelaySettings) -> None:
        self.settings = relay_settings
        self._stopping = asyncio.Event()
        self._nudged = asyncio.Event()
        # One thread: the transaction of a pass must stay on one DB connection.
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-db")
        self._exchange: aio_pika.abc.AbstractExchange | None = None
        self._backoff = INITIAL_BACKOFF_SECONDS
        self._status_reported_at = 0.0
        self._heartbeat = f"{relay_settings.service}-relay"

    def stop(self) -> None:
        self._stopping.set()
        self._nudged.set()

    async def run(self) -> None:
        """Relay until stop() (SIGTERM/SIGINT); reconnects to RabbitMQ by itself."""
        self._loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            self._loop.add_signal_handler(signum, self.stop)
        listener = asyncio.create_task(self._listen_for_nudges())
        try:
            while not self._stopping.is_set():
                # Liveness (the pod's probe reads it): touched on every pass and retry.
                heartbeat.touch(self._heartbeat)
                try:
                    await self._relay_on_one_connection()
                except Exception:
                    logger.exception("outbox relay error; retrying in %.1fs", self._backoff)
                    await self._sleep(self._backoff)
                    self._backoff = min(self._backoff * 2, MAX_BACKOFF_SECONDS)
        finally:
            listener.cancel()
            # The DB thread's connection is closed there (connections are per thread).
            await self._in_db_thread(connections.close_all)
            self._db.shutdown(wait=True)
            for signum in (signal.SIGTERM, signal.SIGINT):
                self._loop.remove_signal_handler(signum)
        logger.info("outbox relay of %s stopped", self.settings.service)

    async def _relay_on_one_connection(self) -> None:
        await self._in_db_thread(self._declare_topology)
        connection = await aio_pika.connect(self.settings.amqp_url)
        try:
            # A returned (unroutable) message fails its own publish, not the whole pass.
            channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
            self._exchange = await channel.get_exchange(EVENTS_EXCHANGE.name, ensure=True)
            logger.info("outbox relay of %s connected", self.settings.service)
            while not self._stopping.is_set():
                # Cleared before the pass, not after: a nudge for a row committed after
                # the pass's query started then brings another pass at once, instead of
                # being wiped and the row waiting for the poll.
                self._nudged.clear()
                published = await self._in_db_thread(self._drain_pass)
                heartbeat.touch(self._heartbeat)
                self._backoff = INITIAL_BACKOFF_SECONDS
                if published < self.settings.batch_size:
                    await _wait(self._nudged, self.settings.poll_seconds)
        finally:
            self._exchange = None
            await connection.close()

    def _declare_topology(self) -> None:
        declare_service_topology(self.settings.amqp_url, service=self.settings.service)

    def _drain_pass(self) -> int:
        close_old_connections()
        published = drain_once(
            batch_size=self.settings.batch_size, publish_batch=self._publish_from_db_thread
        )
        now = time.monotonic()
        if now - self._status_reported_at >= STATUS_EVERY_SECONDS:
            self._status_reported_at = now
            status = outbox_status()
            event_metrics.outbox_backlog(
                service=self.settings.service,
                pending=status.pending,
                oldest_age_seconds=status.oldest_age_seconds,
                quarantined=status.quarantined,
            )
        return published

    def _publish_from_db_thread(self, envelopes: list[Envelope]) -> dict[uuid.UUID, str]:
        future = asyncio.run_coroutine_threadsafe(self._publish(envelopes), self._loop)
        return future.result(timeout=CONFIRM_TIMEOUT_SECONDS + 5)

    async def _publish(self, envelopes: list[Envelope]) -> dict[uuid.UUID, str]:
        exchange = self._exchange
        if exchange is None:
            raise ConnectionError("not connected to RabbitMQ")
        origin = f"relay@{self.settings.service}"
        confirms = []
        for envelope in envelopes:
            with producer_span(
                f"{envelope.type} send", event_type=envelope.type, parent=envelope.traceparent
            ) as traceparent:
                message = event_message(envelope, origin=origin, traceparent=traceparent)
            confirms.append(
                exchange.publish(
                    aio_pika.Message(
                        message.body,
                        headers=message.headers,
                        content_type=CONTENT_TYPE,
                        content_encoding=CONTENT_ENCODING,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        message_id=message.message_id,
                        correlation_id=message.message_id,
                    ),
                    routing_key=envelope.type,
                    # Confirmed but dropped otherwise: a returned event stays in the outbox.
                    mandatory=True,
                )
            )
        # All in flight at once; a lost connection raises and rolls back the pass.
        results = await asyncio.wait_for(
            asyncio.gather(*confirms, return_exceptions=True), CONFIRM_TIMEOUT_SECONDS
        )
        refused: dict[uuid.UUID, str] = {}
        for envelope, result in zip(envelopes, results, strict=True):
            if isinstance(result, aio_pika.exceptions.PublishError):
                refused[envelope.id] = f"unroutable: no queue is bound to {envelope.type}"
            elif isinstance(result, aio_pika.exceptions.DeliveryError):
                refused[envelope.id] = "refused: the broker nacked the message"
            elif isinstance(result, BaseException):
                raise result
        confirmed = Counter(envelope.type for envelope in envelopes if envelope.id not in refused)
        for event_type, count in confirmed.items():
            event_metrics.published(
                service=self.settings.service, event_type=event_type, count=count
            )
        return refused

    async def _in_db_thread(self, func: Callable[[], _R]) -> _R:
        return await self._loop.run_in_executor(self._db, func)

    async def _sleep(self, seconds: float) -> None:
        await _wait(self._stopping, seconds)

    async def _listen_for_nudges(self) -> None:
        """Wake the relay on each commit-time nudge; polling covers Redis being away."""
        backoff = INITIAL_BACKOFF_SECONDS
        while not self._stopping.is_set():
            try:
                async with (
                    aioredis.Redis.from_url(self.settings.redis_url) as client,
                    client.pubsub() as pubsub,
                ):
                    await pubsub.subscribe(nudge_channel(self.settings.service))
                    backoff = INITIAL_BACKOFF_SECONDS
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            self._nudged.set()
            except aioredis.RedisError as error:
                logger.warning("nudge listener: %s; polling only for %.1fs", error, backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)


async def _wait(event: asyncio.Event, seconds: float) -> None:
    """Until ``event`` is set or ``seconds`` pass, whichever comes first."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


def relay_settings(
    *, batch_size: int | None = None, poll_seconds: float | None = None
) -> RelaySettings:
    return RelaySettings(
        service=conf.service_name(),
        amqp_url=conf.broker_url(),
        redis_url=conf.redis_url(),
        batch_size=batch_size or conf.integer("EVENTS_RELAY_BATCH_SIZE"),
        poll_seconds=poll_seconds or conf.number("EVENTS_RELAY_POLL_SECONDS"),
    )
