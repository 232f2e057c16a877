"""Reads of the inbox; every one is scoped to the caller."""

from uuid import UUID

from django.db.models import QuerySet

from notifications.inbox.models import Notification


def notification_list(*, user_id: UUID, unread: bool | None = None) -> QuerySet[Notification]:
    """The user's notifications, newest first; ``unread`` keeps only (un)read ones."""
    notifications = Notification.objects.filter(user_id=user_id)
    if unread is not None:
        notifications = notifications.filter(read_at__isnull=unread)
    return notifications.order_by("-created_at")


def notification_unread_count(*, user_id: UUID) -> int:
    """How many of the user's notifications are unread (served by the partial unread index)."""
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()


def notification_last_sequence(*, user_id: UUID) -> int:
    """The sequence number of the user's latest notification (0: none yet)."""
    latest = (
        Notification.objects.filter(user_id=user_id)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    return latest or 0


def notification_list_after(
    *, user_id: UUID, after: int, before: int | None = None, limit: int
) -> list[Notification]:
    """Up to ``limit`` of the user's notifications numbered above ``after`` (and below
    ``before``), in sequence order: what a reconnecting socket missed."""
    notifications = Notification.objects.filter(user_id=user_id, sequence__gt=after)
    if before is not None:
        notifications = notifications.filter(sequence__lt=before)
    return list(notifications.order_by("sequence")[:limit])
