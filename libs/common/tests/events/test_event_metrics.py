"""The transport's Prometheus series move with what actually happens to events."""

import socket
import uuid
from pathlib import Path
from typing import Any

import pytest
from celery import Task
from evtest_app.models import AppliedEffect
from factories import publish_event, publish_registered, user_data
from processes import (
    broker_publish,
    fresh_topology,
    relay_command,
    running,
    wait_until,
    worker_command,
)
from prometheus_client import REGISTRY

from platform_common.events import conf, tasks
from platform_common.events.models import OutboxMessage, ParkedDeadLetter
from platform_common.events.monitoring import BacklogMonitor
from platform_common.events.relay import drain_once
from platform_common.events.wire import CONSUME_TASK, event_message
from platform_common.testing.events import deliver, make_envelope
from platform_common.testing.metrics import Scrape, scrape

pytestmark = pytest.mark.django_db(transaction=True)

TYPE = "accounts.user.registered"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, {"service": "evtest", **labels}) or 0.0


def test_consumed_events_count_applied_and_duplicate_runs() -> None:
    before = {
        outcome: sample("events_consumed_total", type=TYPE, outcome=outcome)
        for outcome in ("applied", "duplicate")
    }
    envelope = make_envelope(type=TYPE, data=user_data())

    deliver(envelope)
    deliver(envelope)

    # Two handlers subscribe to the type: two runs each time.
    assert sample("events_consumed_total", type=TYPE, outcome="applied") == before["applied"] + 2
    assert (
        sample("events_consumed_total", type=TYPE, outcome="duplicate") == before["duplicate"] + 2
    )


def test_a_poison_event_counts_as_failed_and_dead_lettered(consume_task: Task[Any, Any]) -> None:
    failed = sample("events_failed_total", type=TYPE, will_retry="false")
    dead = sample("events_dead_lettered_total", type=TYPE)

    tasks.consume(consume_task, make_envelope(type=TYPE, data=user_data(), version=9).to_dict())

    assert sample("events_failed_total", type=TYPE, will_retry="false") == failed + 1
    assert sample("events_dead_lettered_total", type=TYPE) == dead + 1


def test_a_quarantined_outbox_row_is_counted(settings: Any) -> None:
    settings.EVENTS_OUTBOX_MAX_ATTEMPTS = 1
    before = sample("events_outbox_quarantined_total", type="broken")
    OutboxMessage.objects.create(
        event_id=make_envelope(type=TYPE, data=user_data()).id,
        event_type="broken",
        envelope={"type": "broken"},
    )

    drain_once(batch_size=10, publish_batch=lambda envelopes: {})

    assert sample("events_outbox_quarantined_total", type="broken") == before + 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def scraped(port: int) -> Scrape | None:
    try:
        return scrape(f"http://127.0.0.1:{port}/metrics", timeout=2)
    except OSError:
        return None


def test_the_relay_serves_what_it_published_on_its_metrics_port() -> None:
    fresh_topology()
    port = free_port()
    for _ in range(3):
        publish_registered()

    with running(relay_command(), env={"METRICS_PORT": str(port)}):
        wait_until(lambda: not OutboxMessage.objects.filter(sent_at__isnull=True).exists())
        wait_until(
            lambda: (
                (metrics := scraped(port)) is not None
                and metrics.value("events_published_total", service="evtest", type=TYPE) == 3
                # Published first, the backlog gauges at the end of the same pass.
                and metrics.value("events_outbox_pending", service="evtest") is not None
            )
        )
        metrics = scraped(port)

    assert metrics is not None
    assert metrics.value("events_outbox_pending", service="evtest") is not None
    assert metrics.value("events_outbox_oldest_age_seconds", service="evtest") is not None


def park_dead_letter() -> None:
    ParkedDeadLetter.objects.create(
        digest=uuid.uuid4().hex,
        event_id=str(uuid.uuid4()),
        event_type=TYPE,
        reason="parked by the test",
        headers={},
        body=b"{}",
    )


def test_the_backlog_monitor_reads_the_queue_from_the_broker() -> None:
    fresh_topology()
    for _ in range(3):
        envelope = make_envelope(type=TYPE, data=user_data())
        message = event_message(envelope, origin="test", traceparent=envelope.traceparent)
        broker_publish(message.body, headers=message.headers)
    park_dead_letter()
    park_dead_letter()

    # No worker runs: the 3 are ready; 2 more held unacked by "this worker".
    BacklogMonitor(service="evtest", broker_url=conf.broker_url(), held=lambda: 2).measure()

    lag = REGISTRY.get_sample_value(
        "events_consumer_lag_messages", {"service": "evtest", "queue": "evtest.events"}
    )
    assert lag == 5
    assert sample("events_dead_letter_parked") == 2
    fresh_topology()


def test_a_prefork_worker_serves_what_its_children_recorded(tmp_path: Path) -> None:
    fresh_topology()
    park_dead_letter()
    port = free_port()
    # The worker runs 2 pool children (prefork): their samples reach the main process's
    # scrape through the multiprocess directory.
    env = {"METRICS_PORT": str(port), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    with running(worker_command(pool="prefork"), env=env) as worker, running(relay_command()):
        retried = publish_event(failing_attempts=1)
        healthy = [publish_event() for _ in range(4)]
        poison = make_envelope(type=TYPE, data=user_data(), version=9)
        message = event_message(poison, origin="test", traceparent=poison.traceparent)
        broker_publish(message.body, headers=message.headers)

        wait_until(
            lambda: (
                AppliedEffect.objects.filter(
                    event_id__in=[retried.id, *(envelope.id for envelope in healthy)]
                ).count()
                == 5
            ),
            timeout=90,  # a prefork worker's start and one retry, on a loaded machine
        )
        tasks_by_state = {"succeeded": 5, "retried": 1, "rejected": 1}
        wait_until(
            lambda: (
                (metrics := scraped(port)) is not None
                and all(
                    metrics.value(
                        "celery_tasks_total", service="evtest", task=CONSUME_TASK, state=state
                    )
                    == count
                    for state, count in tasks_by_state.items()
                )
            )
        )
        metrics = scraped(port)

    assert metrics is not None
    assert metrics.total("celery_tasks_total", service="evtest", state="failed") == 0
    duration = "celery_task_duration_seconds_count"
    assert metrics.value(duration, service="evtest", task=CONSUME_TASK) == 7
    assert metrics.value("events_dead_lettered_total", service="evtest", type=TYPE) == 1
    assert metrics.value("events_failed_total", service="evtest", type=TYPE, will_retry="true") == 1
    # Two handlers subscribe to the type: each of the 5 events applied twice, one of them
    # after its retry (its first attempt rolled back whole).
    assert (
        metrics.value("events_consumed_total", service="evtest", type=TYPE, outcome="applied") == 10
    )
    assert metrics.value("events_dead_letter_parked", service="evtest") == 1
    # Measured from the broker when the worker came up (and every 15 s after).
    assert (
        metrics.value("events_consumer_lag_messages", service="evtest", queue="evtest.events")
        is not None
    )
    # The jobs ran in pool children (how many of them is the batcher's choice): their
    # files, not the main process's, hold the task samples the main process served.
    children = {path.stem.removeprefix("counter_") for path in tmp_path.glob("counter_*.db")}
    assert children - {str(worker.pid)}
