"""Housekeeping and backlog figures for the outbox and inbox."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Min
from django.utils import timezone

from platform_common.events import conf
from platform_common.events.models import InboxEntry, OutboxMessage
from platform_common.events.nudge import nudge_relay

# Rows shown by ``events outbox status`` (the most retried first).
TROUBLED_ROWS_SHOWN = 50


@dataclass(frozen=True)
class TroubledRow:
    event_id: str
    event_type: str
    attempts: int
    last_error: str
    quarantined: bool


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    oldest_age_seconds: float
    quarantined: int
    troubled: list[TroubledRow]


def outbox_status() -> OutboxStatus:
    """Pending (not sent, not quarantined) rows, the oldest one's age, and the rows the
    broker refused at least once (still retried, or quarantined)."""
    pending = OutboxMessage.objects.filter(sent_at__isnull=True, quarantined_at__isnull=True)
    oldest = pending.aggregate(oldest=Min("created_at"))["oldest"]
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    troubled = OutboxMessage.objects.filter(sent_at__isnull=True, attempts__gt=0).order_by(
        "-attempts", "id"
    )[:TROUBLED_ROWS_SHOWN]
    return OutboxStatus(
        pending=pending.count(),
        oldest_age_seconds=max(age, 0.0),
        quarantined=OutboxMessage.objects.filter(quarantined_at__isnull=False).count(),
        troubled=[
            TroubledRow(
                event_id=str(row.event_id),
                event_type=row.event_type,
                attempts=row.attempts,
                last_error=row.last_error,
                quarantined=row.quarantined_at is not None,
            )
            for row in troubled
        ],
    )


def outbox_redrive() -> int:
    """Give every quarantined row a fresh set of attempts; returns how many."""
    count = OutboxMessage.objects.filter(quarantined_at__isnull=False).update(
        quarantined_at=None, attempts=0, last_error="", next_attempt_at=None
    )
    if count:
        nudge_relay()
    return count


def purge_expired() -> tuple[int, int]:
    """Delete sent outbox rows and inbox rows past retention; returns both counts."""
    now = timezone.now()
    outbox_deleted, _ = OutboxMessage.objects.filter(
        sent_at__lt=now - conf.hours("EVENTS_OUTBOX_RETENTION_HOURS")
    ).delete()
    inbox_deleted, _ = InboxEntry.objects.filter(
        processed_at__lt=now - conf.hours("EVENTS_INBOX_RETENTION_HOURS")
    ).delete()
    return outbox_deleted, inbox_deleted
