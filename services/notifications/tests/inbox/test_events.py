import uuid

import pytest
from pytest_django import DjangoCaptureOnCommitCallbacks

from notifications.inbox import realtime
from notifications.inbox.models import Notification
from platform_common.events.models import InboxEntry
from platform_common.testing.events import deliver
from tests.inbox.conftest import UserRegistered

pytestmark = pytest.mark.django_db


def test_a_registered_user_gets_a_welcome_notification(user_registered: UserRegistered) -> None:
    user_id = uuid.uuid4()

    deliver(user_registered(user_id))

    welcome = Notification.objects.get(user_id=user_id)
    assert welcome.kind == "welcome"
    assert "Ada Lovelace" in welcome.title
    assert welcome.read_at is None


def test_a_redelivered_event_creates_no_second_welcome(user_registered: UserRegistered) -> None:
    user_id = uuid.uuid4()
    event = user_registered(user_id)
    deliver(event)

    deliver(event)

    assert Notification.objects.filter(user_id=user_id).count() == 1
    # Once per handler: the welcome's and the contact projection's.
    assert sorted(
        InboxEntry.objects.filter(event_id=event.id).values_list("handler", flat=True)
    ) == [
        "notifications.delivery.events.contact_from_registration",
        "notifications.inbox.events.welcome_new_user",
    ]


def test_another_registered_event_for_the_same_user_creates_no_second_welcome(
    user_registered: UserRegistered,
) -> None:
    # A new event id (a producer that published twice) gets past the inbox; the effect
    # itself must still happen once.
    user_id = uuid.uuid4()
    deliver(user_registered(user_id))

    deliver(user_registered(user_id))

    assert Notification.objects.filter(user_id=user_id, kind="welcome").count() == 1


def test_the_welcome_is_pushed_once_after_commit(
    user_registered: UserRegistered,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    event = user_registered(uuid.uuid4())

    with django_capture_on_commit_callbacks() as callbacks:
        deliver(event)
        deliver(event)

    # The consumer's own callbacks (its figures, counted on commit) are not pushes.
    pushes = [
        callback
        for callback in callbacks
        if getattr(callback, "func", None) is realtime.notification_created_push
    ]
    assert len(pushes) == 1
