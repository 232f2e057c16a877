import asyncio
import uuid
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from notifications.inbox.models import Notification
from notifications.inbox.realtime import user_group_name
from notifications.inbox.services import (
    notification_create,
    notification_mark_all_read,
    notification_mark_read,
)
from platform_common.api.errors import NotFoundError

pytestmark = pytest.mark.django_db


async def _receive(channel: str) -> dict[str, Any]:
    message: dict[str, Any] = await asyncio.wait_for(
        get_channel_layer().receive(channel), timeout=5
    )
    return message


def test_create_stores_the_notification_for_the_user() -> None:
    user_id = uuid.uuid4()

    notification = notification_create(
        user_id=user_id, kind="welcome", title="Hi", body="Hello", data={"a": 1}
    )

    stored = Notification.objects.get(pk=notification.pk)
    assert (stored.user_id, stored.kind, stored.title, stored.body, stored.data) == (
        user_id,
        "welcome",
        "Hi",
        "Hello",
        {"a": 1},
    )
    assert stored.read_at is None


def test_create_with_the_same_dedup_key_returns_the_first_notification() -> None:
    user_id = uuid.uuid4()
    first = notification_create(user_id=user_id, kind="welcome", title="Hi", dedup_key="welcome")

    second = notification_create(
        user_id=user_id, kind="welcome", title="Hi again", dedup_key="welcome"
    )

    assert second.pk == first.pk
    assert Notification.objects.filter(user_id=user_id).count() == 1


def test_dedup_key_is_per_user() -> None:
    notification_create(user_id=uuid.uuid4(), kind="welcome", title="Hi", dedup_key="welcome")

    notification_create(user_id=uuid.uuid4(), kind="welcome", title="Hi", dedup_key="welcome")

    assert Notification.objects.filter(dedup_key="welcome").count() == 2


def test_create_pushes_to_the_users_group_after_commit(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    user_id = uuid.uuid4()
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group_name(user_id), channel)

    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_create(user_id=user_id, kind="welcome", title="Hi")

    message = async_to_sync(_receive)(channel)
    async_to_sync(layer.group_discard)(user_group_name(user_id), channel)
    assert message["type"] == "notification.created"
    assert message["notification"]["id"] == str(notification.pk)
    assert message["notification"]["title"] == "Hi"


def test_create_defers_the_push_until_commit(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        notification_create(user_id=uuid.uuid4(), kind="welcome", title="Hi")

    assert len(callbacks) == 1


def test_a_repeated_dedup_key_pushes_nothing(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    user_id = uuid.uuid4()
    notification_create(user_id=user_id, kind="welcome", title="Hi", dedup_key="welcome")

    with django_capture_on_commit_callbacks() as callbacks:
        notification_create(user_id=user_id, kind="welcome", title="Hi", dedup_key="welcome")

    assert callbacks == []


def test_an_unreachable_channel_layer_does_not_fail_the_create(
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # Port 1 on loopback refuses connections: a Redis outage, without touching the real one.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": "redis://127.0.0.1:1/0"}]},
        }
    }
    user_id = uuid.uuid4()

    with django_capture_on_commit_callbacks(execute=True):
        notification_create(user_id=user_id, kind="welcome", title="Hi")

    assert Notification.objects.filter(user_id=user_id).exists()


def test_mark_read_sets_read_at_once() -> None:
    user_id = uuid.uuid4()
    notification = notification_create(user_id=user_id, kind="welcome", title="Hi")

    first = notification_mark_read(user_id=user_id, notification_id=notification.pk)
    again = notification_mark_read(user_id=user_id, notification_id=notification.pk)

    assert first.read_at is not None
    assert again.read_at == first.read_at


def test_mark_read_of_another_users_notification_is_not_found() -> None:
    notification = notification_create(user_id=uuid.uuid4(), kind="welcome", title="Hi")

    with pytest.raises(NotFoundError) as raised:
        notification_mark_read(user_id=uuid.uuid4(), notification_id=notification.pk)

    assert raised.value.code == "not_found"
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_counts_only_the_users_unread_notifications() -> None:
    user_id = uuid.uuid4()
    already_read = notification_create(user_id=user_id, kind="k", title="old")
    notification_mark_read(user_id=user_id, notification_id=already_read.pk)
    notification_create(user_id=user_id, kind="k", title="new 1")
    notification_create(user_id=user_id, kind="k", title="new 2")
    someone_elses = notification_create(user_id=uuid.uuid4(), kind="k", title="theirs")

    updated = notification_mark_all_read(user_id=user_id)

    assert updated == 2
    assert not Notification.objects.filter(user_id=user_id, read_at__isnull=True).exists()
    someone_elses.refresh_from_db()
    assert someone_elses.read_at is None
