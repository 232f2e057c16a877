"""Business actions of the inbox; each owns its transaction."""

from functools import partial
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from notifications.inbox.models import Notification
from notifications.inbox.realtime import notification_created_push
from platform_common.api.errors import NotFoundError
from platform_common.api.selectors import get_object_or_not_found
from platform_common.problems import ProblemCode


@transaction.atomic
def notification_create(
    *,
    user_id: UUID,
    kind: str,
    title: str,
    body: str = "",
    data: dict[str, Any] | None = None,
    link: str = "",
    dedup_key: str | None = None,
) -> Notification:
    """Create a notification and push it to the user's sockets once committed.

    With a ``dedup_key`` the notification exists at most once per user: a repeat call
    returns the existing one and pushes nothing.
    """
    fields = {"kind": kind, "title": title, "body": body, "data": data or {}, "link": link}
    if dedup_key is None:
        notification = Notification.objects.create(user_id=user_id, **fields)
        created = True
    else:
        notification, created = Notification.objects.get_or_create(
            user_id=user_id, dedup_key=dedup_key, defaults=fields
        )
    if created:
        transaction.on_commit(partial(notification_created_push, notification=notification))
    return notification


@transaction.atomic
def notification_mark_read(*, user_id: UUID, notification_id: UUID) -> Notification:
    """Mark one of the user's notifications read; marking it again keeps the first time."""
    # Another user's notification is reported exactly like a missing one.
    notification = get_object_or_not_found(
        Notification.objects.select_for_update().filter(user_id=user_id),
        pk=notification_id,
        message="Notification not found.",
    )
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


@transaction.atomic
def notification_delete(*, user_id: UUID, notification_id: UUID) -> None:
    """Delete one of the user's notifications; another user's is reported as missing."""
    deleted, _ = Notification.objects.filter(user_id=user_id, pk=notification_id).delete()
    if not deleted:
        raise NotFoundError("Notification not found.", code=ProblemCode.NOT_FOUND)


@transaction.atomic
def notification_mark_all_read(*, user_id: UUID) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    now = timezone.now()
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True).update(
        read_at=now, updated_at=now
    )


@transaction.atomic
def notification_delete_all(*, user_id: UUID) -> int:
    """Delete every notification of the user (their account is gone); returns how many."""
    deleted, _ = Notification.objects.filter(user_id=user_id).delete()
    return deleted
