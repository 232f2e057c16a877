"""The relay process: at-least-once, never a row twice when relays run side by side."""

import time

import pytest
from factories import publish_registered
from kombu import Connection
from processes import purge_queues, relay_command, running, wait_for_line, wait_until

from platform_common.events import conf
from platform_common.events.models import OutboxMessage
from platform_common.events.registry import subscribed_types
from platform_common.events.topology import declare_topology, events_queue

pytestmark = pytest.mark.django_db(transaction=True)


def drain_event_ids() -> list[str]:
    """Take every message off the evtest queue; returns their event ids."""
    ids: list[str] = []
    with Connection(conf.broker_url()) as broker, broker.channel() as channel:
        queue = events_queue("evtest", []).bind(channel)
        while (message := queue.get(no_ack=True)) is not None:
            ids.append(str(message.headers["id"]))
    return ids


def test_two_relays_on_one_outbox_publish_every_row_exactly_once() -> None:
    with Connection(conf.broker_url()) as broker:
        declare_topology(broker, service="evtest", event_types=subscribed_types())
    purge_queues()
    for _ in range(2000):
        publish_registered()

    with running(relay_command("--batch-size", "50")), running(relay_command("--batch-size", "50")):
        wait_until(lambda: not OutboxMessage.objects.filter(sent_at__isnull=True).exists())
        time.sleep(1)  # a double publish would still be arriving

    ids = drain_event_ids()
    assert len(ids) == 2000
    assert len(set(ids)) == 2000


def test_relay_stops_cleanly_on_sigterm() -> None:
    with running(relay_command(), capture=True) as relay:
        wait_for_line(relay, "connected")
        relay.terminate()

        assert relay.wait(timeout=10) == 0
        wait_for_line(relay, "stopped")
