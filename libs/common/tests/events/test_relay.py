"""The relay process: at-least-once, never a row twice when relays run side by side."""

import asyncio
import time
import uuid
from typing import Any

import pytest
from django.db import connections
from factories import publish_registered
from processes import (
    drain_event_ids,
    fresh_topology,
    relay_command,
    running,
    wait_for_line,
    wait_until,
)

from platform_common.events import relay
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


def test_a_row_committed_during_a_pass_is_relayed_without_waiting_for_the_poll(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fresh_topology()
    publish_registered()
    outbox_relay = relay.OutboxRelay(relay.relay_settings(poll_seconds=60))
    late: list[uuid.UUID] = []
    drain_once = relay.drain_once

    def pass_during_which_a_row_commits(**options: Any) -> int:
        handled = drain_once(**options)
        if not late:
            # Committed after the pass's query, and its nudge lands before the pass ends.
            late.append(publish_registered().id)
            outbox_relay._loop.call_soon_threadsafe(outbox_relay._nudged.set)
        return handled

    monkeypatch.setattr(relay, "drain_once", pass_during_which_a_row_commits)

    def sent(event_id: uuid.UUID) -> bool:
        try:
            return OutboxMessage.objects.filter(event_id=event_id, sent_at__isnull=False).exists()
        finally:
            connections.close_all()  # this thread's own connection

    async def scenario() -> bool:
        running_relay = asyncio.create_task(outbox_relay.run())
        deadline = time.monotonic() + 5
        relayed = False
        while not relayed and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            relayed = bool(late) and await asyncio.to_thread(sent, late[0])
        outbox_relay.stop()
        await running_relay
        return relayed

    assert asyncio.run(scenario())
