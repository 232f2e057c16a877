"""Housekeeping and backlog figures for the outbox and inbox."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Min
from django.utils import timezone

from platform_common.events import conf
from platform_common.events.models import InboxEntry, OutboxMessage


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    oldest_age_seconds: float


def outbox_status() -> OutboxStatus:
    pending = OutboxMessage.objects.filter(sent_at__isnull=True)
    oldest = pending.aggregate(oldest=Min("created_at"))["oldest"]
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    return OutboxStatus(pending=pending.count(), oldest_age_seconds=max(age, 0.0))


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
