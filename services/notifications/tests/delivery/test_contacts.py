"""The contact projection: accounts' user events keep each recipient's details."""

import uuid
from typing import Any

import pytest

from notifications.delivery.models import Contact, PushDevice, PushPlatform
from notifications.inbox.models import Notification
from notifications.inbox.services import notification_create
from notifications.subscriptions.models import Subscription
from platform_common.events import Envelope
from platform_common.testing.events import deliver, make_envelope

pytestmark = pytest.mark.django_db


def user_event(event_type: str, user_id: uuid.UUID, version: int, **data: Any) -> Envelope:
    if event_type == "deleted":
        data.setdefault("deleted_at", "2026-01-01T00:00:00+00:00")
    return make_envelope(
        type=f"accounts.user.{event_type}",
        data={"user_id": str(user_id), **data},
        aggregate_id=user_id,
        aggregate_version=version,
    )


def updated(user_id: uuid.UUID, version: int, **changes: Any) -> Envelope:
    data = {
        "email": "ada@example.com",
        "display_name": "Ada",
        "avatar_url": None,
        "locale": "de",
        "time_zone": "Europe/Berlin",
        **changes,
    }
    return user_event("updated", user_id, version, **data)


def test_registration_creates_the_contact_with_default_locale_and_zone() -> None:
    user_id = uuid.uuid4()

    deliver(user_event("registered", user_id, 1, email="ada@example.com", display_name="Ada"))

    contact = Contact.objects.get(user_id=user_id)
    assert (contact.email, contact.display_name, contact.locale, contact.time_zone) == (
        "ada@example.com",
        "Ada",
        "en",
        "UTC",
    )


def test_update_records_email_locale_time_zone_and_name() -> None:
    user_id = uuid.uuid4()
    deliver(user_event("registered", user_id, 1, email="ada@example.com", display_name="Ada"))

    deliver(updated(user_id, 2, email="ada@new.example", display_name="Ada L."))

    contact = Contact.objects.get(user_id=user_id)
    assert (contact.email, contact.display_name, contact.locale, contact.time_zone) == (
        "ada@new.example",
        "Ada L.",
        "de",
        "Europe/Berlin",
    )
    assert contact.aggregate_version == 2


def test_an_older_update_arriving_late_changes_nothing() -> None:
    user_id = uuid.uuid4()
    deliver(updated(user_id, 3, email="newest@example.com"))

    deliver(updated(user_id, 2, email="older@example.com"))

    assert Contact.objects.get(user_id=user_id).email == "newest@example.com"


def test_deletion_forgets_the_contact_and_the_inbox() -> None:
    user_id = uuid.uuid4()
    other = uuid.uuid4()
    deliver(updated(user_id, 1))
    notification_create(user_id=user_id, kind="welcome", title="Hi")
    notification_create(user_id=other, kind="welcome", title="Hi")

    deliver(user_event("deleted", user_id, 2))

    contact = Contact.objects.get(user_id=user_id)
    assert contact.deleted
    assert (contact.email, contact.display_name) == ("", "")
    assert not Notification.objects.filter(user_id=user_id).exists()
    assert Notification.objects.filter(user_id=other).count() == 1


def test_an_update_after_the_deletion_does_not_bring_the_data_back() -> None:
    user_id = uuid.uuid4()
    deliver(user_event("deleted", user_id, 5))

    deliver(updated(user_id, 4, email="ghost@example.com"))

    contact = Contact.objects.get(user_id=user_id)
    assert contact.deleted
    assert contact.email == ""


def test_deletion_forgets_the_users_follows_and_follows_of_them() -> None:
    user_id = uuid.uuid4()
    follower = uuid.uuid4()
    Subscription.objects.create(user_id=user_id, target_type="category", target_id=uuid.uuid4())
    Subscription.objects.create(user_id=follower, target_type="author", target_id=user_id)
    kept = Subscription.objects.create(
        user_id=follower, target_type="author", target_id=uuid.uuid4()
    )

    deliver(user_event("deleted", user_id, 2))

    assert list(Subscription.objects.filter(user_id__in=[user_id, follower])) == [kept]


def updated_v2(user_id: uuid.UUID, version: int, *, phone_number: str | None) -> Envelope:
    envelope = updated(user_id, version, phone_number=phone_number)
    return make_envelope(
        type=envelope.type,
        data=envelope.data,
        aggregate_id=user_id,
        aggregate_version=version,
        version=2,
    )


def test_update_v2_records_the_phone_number_and_a_later_one_without_clears_it() -> None:
    user_id = uuid.uuid4()

    deliver(updated_v2(user_id, 2, phone_number="+4915112345678"))
    recorded = Contact.objects.get(user_id=user_id).phone_number
    deliver(updated_v2(user_id, 3, phone_number=None))

    assert recorded == "+4915112345678"
    assert Contact.objects.get(user_id=user_id).phone_number == ""


def test_deletion_forgets_the_phone_number_and_push_devices() -> None:
    user_id = uuid.uuid4()
    deliver(updated_v2(user_id, 2, phone_number="+4915112345678"))
    PushDevice.objects.create(user_id=user_id, platform=PushPlatform.IOS, token="apns-1")
    kept = PushDevice.objects.create(
        user_id=uuid.uuid4(), platform=PushPlatform.IOS, token="apns-2"
    )

    deliver(user_event("deleted", user_id, 3))

    assert Contact.objects.get(user_id=user_id).phone_number == ""
    assert list(PushDevice.objects.all()) == [kept]
