"""The relay process: at-least-once, never a row twice when relays run side by side."""

import time

import pytest
from factories import publish_registered
from processes import (
    drain_event_ids,
    fresh_topology,
    relay_command,
    running,
    wait_for_line,
    wait_until,
)

from platform_common.events.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_relays_on_one_outbox_publish_every_row_exactly_once() -> None:
    fresh_topology()
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
