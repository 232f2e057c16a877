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
