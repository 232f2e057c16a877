"""The Celery app of a service: consumes ``<svc>.events`` through one dispatching task.

``celery -A <svc>.config.celery worker`` and ``... beat`` need no other flags.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import django
from celery import Celery, bootsteps, signals
from celery.apps.worker import install_worker_term_handler  # type: ignore[attr-defined]
from celery.worker import state as worker_state
from celery.worker.consumer import Consumer
from kombu import Message

from platform_common.events import conf, heartbeats
from platform_common.events.registry import subscribed_types
from platform_common.events.topology import (
    EVENTS_EXCHANGE,
    declare_topology,
    direct_routing_key,
    events_queue,
    queue_name,
)
from platform_common.events.wire import CONSUME_TASK
from platform_common.observability import celery_metrics
from platform_common.observability.metrics import MetricsServer, start_metrics_server

if TYPE_CHECKING:
    from platform_common.events.monitoring import BacklogMonitor

logger = logging.getLogger(__name__)

PURGE_TASK = "platform_common.events.purge_expired"
PURGE_EVERY_SECONDS = 3600.0
DB_REUSE_MAX = 1_000_000


# How every service's worker takes deliveries: an event is acked only once handled.
DELIVERY_OPTIONS: dict[str, object] = {
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    # A task that failed without handling (e.g. the broker vanished mid-retry, or a retry
    # no queue took) is rejected, so RabbitMQ dead-letters it instead of it being lost.
    "task_acks_on_failure_or_timeout": False,
    "task_ignore_result": True,
    "worker_prefetch_multiplier": 4,
    "worker_hijack_root_logger": False,
    "worker_cancel_long_running_tasks_on_connection_loss": True,
    "worker_consumer": "platform_common.events.worker:EventConsumer",
}


class EventConsumer(Consumer):
    """Celery acks a message it cannot decode (lost); dead-letter it instead."""

    def on_decode_error(self, message: Message, exc: Exception) -> None:
        logger.error("undecodable message dead-lettered: %s", exc)
        celery_metrics.rejected(service=conf.service_name())
        message.reject(requeue=False)


class DeclareTopology(bootsteps.StartStopStep):
    """Declare exchanges, queue, bindings and DLQ on every (re)connection of the consumer."""

    requires = ("celery.worker.consumer.connection:Connection",)

    def start(self, parent: Consumer) -> None:
        if parent.connection is not None:
            declare_topology(
                parent.connection, service=conf.service_name(), event_types=subscribed_types()
            )


class WorkerMetrics:
    """/metrics of a worker on ``METRICS_PORT``, and the backlog gauges behind it.

    Started once the pool is up (``worker_ready``), in the main process: prefork children
    are forked before it, so none inherits the thread. They record the task and event
    series into ``PROMETHEUS_MULTIPROC_DIR`` (set it for a prefork pool: the chart and
    dev/Procfile do), which the main process merges at each scrape.
    """

    def __init__(self) -> None:
        self._server: MetricsServer | None = None
        self._monitor: BacklogMonitor | None = None

    def start(self, **_: Any) -> None:
        port = conf.metrics_port()
        if not port or self._server is not None:
            return
        # Imported here: the models need the app registry, ready by the time a worker runs.
        from platform_common.events.monitoring import monitor_for_this_service
        from platform_common.events.strategy import held_deliveries

        self._server = start_metrics_server(port)
        self._monitor = monitor_for_this_service(
            held=lambda: len(worker_state.reserved_requests) + held_deliveries()
        )
        self._monitor.start()
        logger.info("worker metrics on port %d", self._server.port)

    def stop(self, **_: Any) -> None:
        if self._monitor is not None:
            self._monitor.stop()
            self._monitor = None
        if self._server is not None:
            self._server.stop()
            self._server = None


WORKER_METRICS = WorkerMetrics()


@signals.worker_ready.connect
def _term_without_plain_text(sender: Consumer, **kwargs: object) -> None:
    """Celery's SIGTERM handler prints "worker: Warm shutdown" as plain text on stdout,
    where every line is JSON: the same warm shutdown, without that line."""
    install_worker_term_handler(sender.controller, verbose=False)  # type: ignore[attr-defined]


def create_celery_app(service: str) -> Celery:
    """Build the Celery app of ``service`` (DJANGO_SETTINGS_MODULE must be set)."""
    # Handlers register in AppConfig.ready(); the queue bindings need them now.
    django.setup()
    app = Celery(service)
    app.conf.update(
        broker_url=conf.broker_url(),
        broker_connection_retry_on_startup=True,
        # Every publish (retries, dead letters, beat) waits for the broker's confirm.
        broker_transport_options={"confirm_publish": True},
        task_queues=[events_queue(service, subscribed_types())],
        task_default_queue=queue_name(service),
        task_routes={},
        **DELIVERY_OPTIONS,
        beat_schedule={},
        # Liveness: beat and the worker touch heartbeat files the pods' probes read.
        beat_scheduler="platform_common.events.heartbeats:HeartbeatScheduler",
        beat_max_loop_interval=heartbeats.BEAT_MAX_LOOP_SECONDS,
    )
    # Celery's Django fixup closes the DB connection around every task unless this is set
    # (a new connection per event caps a worker near 100 events/s); the consume task
    # applies CONN_MAX_AGE and health checks itself, as Django does per request.
    app.conf["CELERY_DB_REUSE_MAX"] = DB_REUSE_MAX
    app.steps["consumer"].add(DeclareTopology)
    app.steps["worker"].add(heartbeats.WorkerHeartbeat)
    celery_metrics.connect(service)
    signals.worker_ready.connect(WORKER_METRICS.start, weak=False, dispatch_uid="metrics-start")
    signals.worker_shutdown.connect(WORKER_METRICS.stop, weak=False, dispatch_uid="metrics-stop")
    # Imported after setup: the tasks use the events models.
    from platform_common.events import strategy, tasks

    app.task(bind=True, name=CONSUME_TASK, Strategy=f"{strategy.__name__}:batched")(tasks.consume)
    schedule_periodic(
        app, name=PURGE_TASK, run=tasks.purge_expired, every_seconds=PURGE_EVERY_SECONDS
    )
    return app


def schedule_periodic(
    app: Celery, *, name: str, run: Callable[[], object], every_seconds: float
) -> None:
    """Register ``run`` as the task ``name`` and have beat send it every ``every_seconds``.

    Our own tasks go to our queue only, through the private routing key, so this
    service's worker runs them.
    """
    app.task(name=name)(run)
    app.conf.task_routes[name] = {
        "exchange": EVENTS_EXCHANGE.name,
        "routing_key": direct_routing_key(conf.service_name()),
    }
    app.conf.beat_schedule[name] = {"task": name, "schedule": every_seconds}
