"""What a worker measures besides its own work: how far behind its queue is, and how many
dead letters wait in its database. A thread of the worker's main process reads both every
``interval`` seconds (one passive queue declare, one COUNT), never per event.

RabbitMQ's declare answer counts the queue's ready messages only; the unacked ones are
those the consumers hold, so each worker adds the deliveries it holds itself. With one
worker replica that is the queue's ready + unacked exactly; with several, each replica
reports ready + its own (take ``max`` across them, or ``sum`` minus the shared ready).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections, connection
from kombu import Connection

from platform_common.events import conf
from platform_common.events.models import ParkedDeadLetter
from platform_common.events.topology import queue_name
from platform_common.observability import event_metrics

logger = logging.getLogger(__name__)

MONITOR_INTERVAL_SECONDS = 15.0
BROKER_TIMEOUT_SECONDS = 5.0


def queue_ready_messages(*, broker_url: str, queue: str) -> int:
    """Ready messages of ``queue`` as the broker reports them (passive: declares nothing)."""
    with Connection(broker_url, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
        # py-amqp's channel (kombu types it as the abstract StdChannel): name, ready, consumers.
        channel: Any = broker.default_channel
        _, ready, _ = channel.queue_declare(queue=queue, passive=True)
        return int(ready)


def parked_dead_letters() -> int:
    close_old_connections()
    try:
        return ParkedDeadLetter.objects.count()
    finally:
        # The thread sleeps far longer than a pooled connection should idle.
        connection.close()


class BacklogMonitor:
    """Sets the lag and parked gauges of ``service`` now and every ``interval`` seconds.

    ``held`` counts the deliveries this worker holds unacked (Celery's reserved requests).
    """

    def __init__(
        self,
        *,
        service: str,
        broker_url: str,
        held: Callable[[], int],
        interval: float = MONITOR_INTERVAL_SECONDS,
    ) -> None:
        self._service = service
        self._broker_url = broker_url
        self._held = held
        self._interval = interval
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="backlog-monitor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=BROKER_TIMEOUT_SECONDS * 2)

    def measure(self) -> None:
        queue = queue_name(self._service)
        try:
            ready = queue_ready_messages(broker_url=self._broker_url, queue=queue)
        except Exception as error:
            # The gauge keeps its last value; the broker's own alerts cover an outage.
            logger.warning("consumer lag of %s not measured: %s", queue, error)
        else:
            event_metrics.consumer_lag(
                service=self._service, queue=queue, messages=ready + self._held()
            )
        try:
            rows = parked_dead_letters()
        except Exception as error:
            logger.warning("parked dead letters of %s not counted: %s", self._service, error)
        else:
            event_metrics.dead_letters_parked(service=self._service, rows=rows)

    def _run(self) -> None:
        while not self._stopping.is_set():
            self.measure()
            self._stopping.wait(self._interval)


def monitor_for_this_service(held: Callable[[], int]) -> BacklogMonitor:
    return BacklogMonitor(service=conf.service_name(), broker_url=conf.broker_url(), held=held)
