"""The transport's Prometheus series move with what actually happens to events."""

import socket
import urllib.request
from typing import Any

import pytest
from celery import Task
from factories import publish_registered, user_data
from processes import fresh_topology, relay_command, running, wait_until
from prometheus_client import REGISTRY

from platform_common.events import tasks
from platform_common.events.models import OutboxMessage
from platform_common.events.relay import drain_once
from platform_common.testing.events import deliver, make_envelope

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


def test_the_relay_serves_what_it_published_on_its_metrics_port() -> None:
    fresh_topology()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for _ in range(3):
        publish_registered()

    with running(relay_command(), env={"EVENTS_RELAY_METRICS_PORT": str(port)}):
        wait_until(lambda: not OutboxMessage.objects.filter(sent_at__isnull=True).exists())
        wait_until(lambda: f'type="{TYPE}"}} 3.0' in scrape(port))
        exposition = scrape(port)

    assert f'events_published_total{{service="evtest",type="{TYPE}"}} 3.0' in exposition
    assert 'events_outbox_pending{service="evtest"}' in exposition


def scrape(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            return str(response.read().decode())
    except OSError:
        return ""
