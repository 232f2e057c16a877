"""Rows the broker will not take: kept, reported, and never in the way of the others."""

import uuid

import pytest
from django.db import transaction
from factories import publish_registered
from processes import drain_event_ids, fresh_topology, manage, relay_command, running, wait_until

from platform_common.events.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)

# Failing rows come back quickly and are quarantined after two attempts.
FAST_QUARANTINE = {"EVENTS_OUTBOX_MAX_ATTEMPTS": "2", "EVENTS_OUTBOX_RETRY_BASE_SECONDS": "0.2"}


@pytest.fixture(autouse=True)
def topology() -> None:
    fresh_topology()


def outbox_row(*, event_type: str, envelope: dict[str, object]) -> OutboxMessage:
    return OutboxMessage.objects.create(
        event_id=uuid.uuid4(), event_type=event_type, envelope=envelope
    )


def test_an_event_no_queue_takes_stays_in_the_outbox_and_is_reported() -> None:
    nobody_listens = publish_registered()
    row = OutboxMessage.objects.get(event_id=nobody_listens.id)
    # A type no service subscribes to: the broker has no queue for it.
    envelope = {**row.envelope, "type": "accounts.user.renamed"}
    OutboxMessage.objects.filter(id=row.id).update(
        event_type="accounts.user.renamed", envelope=envelope
    )

    with running(relay_command(), env=FAST_QUARANTINE):
        wait_until(lambda: OutboxMessage.objects.get(id=row.id).quarantined_at is not None)

    row.refresh_from_db()
    assert row.sent_at is None
    assert row.attempts == 2
    assert "unroutable" in row.last_error
    status = manage("events", "outbox", "status")
    assert "quarantined 1" in status
    assert f"{row.event_id}  accounts.user.renamed  attempts 2  unroutable" in status


def test_a_poisoned_row_is_quarantined_and_the_rest_still_flow() -> None:
    poisoned = outbox_row(
        event_type="broken", envelope={"type": "broken", "data": "not an envelope"}
    )
    good = [publish_registered() for _ in range(20)]

    with running(relay_command("--batch-size", "5"), env=FAST_QUARANTINE):
        wait_until(
            lambda: OutboxMessage.objects.filter(sent_at__isnull=False).count() == 20, timeout=20
        )
        wait_until(lambda: OutboxMessage.objects.get(id=poisoned.id).quarantined_at is not None)

    assert sorted(drain_event_ids()) == sorted(str(envelope.id) for envelope in good)
    poisoned.refresh_from_db()
    assert poisoned.sent_at is None
    assert "envelope" in poisoned.last_error
    assert "quarantined 1" in manage("events", "outbox", "status")


def test_redrive_puts_quarantined_rows_back_in_the_relay_s_way() -> None:
    envelope = publish_registered()
    with transaction.atomic():
        OutboxMessage.objects.filter(event_id=envelope.id).update(
            attempts=5, last_error="unroutable: no queue", quarantined_at="2026-01-01T00:00:00Z"
        )

    assert "re-drove 1 quarantined row(s)" in manage("events", "outbox", "redrive")

    with running(relay_command()):
        wait_until(lambda: OutboxMessage.objects.get(event_id=envelope.id).sent_at is not None)
    assert drain_event_ids() == [str(envelope.id)]
    row = OutboxMessage.objects.get(event_id=envelope.id)
    assert (row.attempts, row.quarantined_at) == (0, None)
