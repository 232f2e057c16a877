"""Business actions of the inbox; each owns its transaction."""

from functools import partial
from typing import Any
from uuid import UUID

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from notifications.inbox.models import Notification, UserSequence
from notifications.inbox.realtime import notification_created_push
from platform_common.api.errors import NotFoundError
from platform_common.api.selectors import get_object_or_not_found
from platform_common.problems import ProblemCode


def _next_sequence(*, user_id: UUID) -> int:
    """The user's next sequence number; its row stays locked until the transaction ends."""
    table = UserSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, last) VALUES (%s, 1) "  # noqa: S608  # table name
            f"ON CONFLICT (user_id) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [user_id],
        )
        (sequence,) = cursor.fetchone()
    return int(sequence)


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
    """Create a notification with the user's next sequence number and push it to the
    user's sockets once committed.

    With a ``dedup_key`` the notification exists at most once per user: a repeat call
    returns the existing one, pushes nothing and takes no sequence number.
    """
    fields = {"kind": kind, "title": title, "body": body, "data": data or {}, "link": link}
    if dedup_key is not None:
        existing = Notification.objects.filter(user_id=user_id, dedup_key=dedup_key).first()
        if existing is not None:
            return existing
    try:
        # A savepoint: a concurrent twin's insert rolls the sequence number back with it.
        with transaction.atomic():
            notification = Notification.objects.create(
                user_id=user_id,
                sequence=_next_sequence(user_id=user_id),
                dedup_key=dedup_key,
                **fields,
            )
    except IntegrityError:
        if dedup_key is None:
            raise
        return Notification.objects.get(user_id=user_id, dedup_key=dedup_key)
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
