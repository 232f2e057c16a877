"""The outbox relay: moves committed outbox rows to RabbitMQ, each at least once.

One pass = one DB transaction: lock up to ``batch_size`` pending rows (FOR UPDATE SKIP
LOCKED, so concurrent relays take disjoint rows), publish them all, await every
publisher confirm, then mark them sent and commit. A failure anywhere rolls the pass
back and the rows are published again later (the consumers' inbox absorbs duplicates).

The ORM runs in one dedicated thread (Django connections are per thread) while the
event loop drives aio-pika; a pass blocks that thread until the loop has the confirms.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import aio_pika
import redis.asyncio as aioredis
from django.db import close_old_connections, transaction
from django.utils import timezone

from platform_common.events import conf
from platform_common.events.envelope import Envelope
from platform_common.events.maintenance import outbox_status
from platform_common.events.models import OutboxMessage
from platform_common.events.nudge import nudge_channel
from platform_common.events.observers import notify
from platform_common.events.topology import EVENTS_EXCHANGE, declare_service_topology
from platform_common.events.wire import CONTENT_ENCODING, CONTENT_TYPE, event_message

logger = logging.getLogger(__name__)

CONFIRM_TIMEOUT_SECONDS = 30.0
INITIAL_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0
# Backlog figures cost two queries: measured at most this often, not on every pass.
STATUS_EVERY_SECONDS = 5.0

PublishBatch = Callable[[list[Envelope]], None]
_R = TypeVar("_R")


@dataclass(frozen=True)
class RelaySettings:
    service: str
    amqp_url: str
    redis_url: str
    batch_size: int
    poll_seconds: float


def drain_once(*, batch_size: int, publish_batch: PublishBatch) -> int:
    """Publish one batch of pending rows and mark them sent; returns how many."""
    with transaction.atomic():
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True)
            .order_by("id")[:batch_size]
        )
        if not rows:
            return 0
        # The row locks are held until the broker has confirmed every message.
        publish_batch([Envelope.from_dict(row.envelope) for row in rows])
        OutboxMessage.objects.filter(id__in=[row.id for row in rows]).update(sent_at=timezone.now())
    return len(rows)


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
                try:
                    await self._relay_on_one_connection()
                except Exception:
                    logger.exception("outbox relay error; retrying in %.1fs", self._backoff)
                    await self._sleep(self._backoff)
                    self._backoff = min(self._backoff * 2, MAX_BACKOFF_SECONDS)
        finally:
            listener.cancel()
            self._db.shutdown(wait=True)
            for signum in (signal.SIGTERM, signal.SIGINT):
                self._loop.remove_signal_handler(signum)
        logger.info("outbox relay of %s stopped", self.settings.service)

    async def _relay_on_one_connection(self) -> None:
        await self._in_db_thread(self._declare_topology)
        connection = await aio_pika.connect(self.settings.amqp_url)
        try:
            channel = await connection.channel(publisher_confirms=True)
            self._exchange = await channel.get_exchange(EVENTS_EXCHANGE.name, ensure=True)
            logger.info("outbox relay of %s connected", self.settings.service)
            while not self._stopping.is_set():
                published = await self._in_db_thread(self._drain_pass)
                self._backoff = INITIAL_BACKOFF_SECONDS
                if published < self.settings.batch_size:
                    await self._wait_for_work()
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
            notify(
                lambda o: o.on_outbox_status(
                    pending=status.pending, oldest_age_seconds=status.oldest_age_seconds
                )
            )
        return published

    def _publish_from_db_thread(self, envelopes: list[Envelope]) -> None:
        future = asyncio.run_coroutine_threadsafe(self._publish(envelopes), self._loop)
        future.result(timeout=CONFIRM_TIMEOUT_SECONDS + 5)

    async def _publish(self, envelopes: list[Envelope]) -> None:
        exchange = self._exchange
        if exchange is None:
            raise ConnectionError("not connected to RabbitMQ")
        origin = f"relay@{self.settings.service}"
        confirms = []
        for envelope in envelopes:
            message = event_message(envelope, origin=origin)
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
                    # An event nobody subscribes to yet is not an error.
                    mandatory=False,
                )
            )
        # All in flight at once; a nack or a lost connection raises and rolls back the pass.
        await asyncio.wait_for(asyncio.gather(*confirms), CONFIRM_TIMEOUT_SECONDS)
        for event_type, count in Counter(envelope.type for envelope in envelopes).items():
            _report_published(event_type, count)

    async def _in_db_thread(self, func: Callable[[], _R]) -> _R:
        return await self._loop.run_in_executor(self._db, func)

    async def _wait_for_work(self) -> None:
        self._nudged.clear()
        await _wait(self._nudged, self.settings.poll_seconds)

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


def _report_published(event_type: str, count: int) -> None:
    notify(lambda o: o.on_published(event_type=event_type, count=count))


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
