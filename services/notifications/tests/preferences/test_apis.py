"""The preferences API: defaults, partial changes, quiet hours and digest mode."""

import uuid
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from notifications.preferences.models import ChannelPreference

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/preferences/"
AuthedClient = Callable[..., APIClient]


def test_defaults_are_in_app_and_email_only(authed_client: AuthedClient) -> None:
    response = authed_client().get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["digest_mode"] == "immediate"
    assert body["quiet_hours"] is None
    assert body["channels"]["article_published"] == {
        "in_app": True,
        "email": True,
        "sms": False,
        "push": False,
        "mqtt": False,
        "webhook": False,
    }
    # Account mails are transactional: not a choice.
    assert "account_verification" not in body["channels"]


def test_patch_changes_only_what_is_given(authed_client: AuthedClient) -> None:
    user_id = uuid.uuid4()
    client = authed_client(user_id)

    response = client.patch(
        URL,
        {"channels": {"comment_created": {"email": False, "push": True}}, "digest_mode": "daily"},
        format="json",
    )

    assert response.status_code == 200
    channels = response.json()["channels"]
    assert channels["comment_created"]["email"] is False
    assert channels["comment_created"]["push"] is True
    assert channels["comment_created"]["in_app"] is True
    assert channels["article_published"]["email"] is True
    assert response.json()["digest_mode"] == "daily"
    assert client.get(URL).json() == response.json()
    assert ChannelPreference.objects.filter(user_id=user_id).count() == 2


def test_quiet_hours_are_set_then_cleared(authed_client: AuthedClient) -> None:
    client = authed_client()

    set_ = client.patch(URL, {"quiet_hours": {"start": "22:00", "end": "07:30"}}, format="json")
    kept = client.patch(URL, {"digest_mode": "hourly"}, format="json")
    cleared = client.patch(URL, {"quiet_hours": None}, format="json")

    assert set_.json()["quiet_hours"] == {"start": "22:00", "end": "07:30"}
    assert kept.json()["quiet_hours"] == {"start": "22:00", "end": "07:30"}
    assert cleared.json()["quiet_hours"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"channels": {"comment_created": {"email": "false"}}},
        {"channels": {"comment_created": {"fax": True}}},
        {"channels": {"account_verification": {"email": False}}},
        {"quiet_hours": {"start": "25:00", "end": "07:00"}},
        {"digest_mode": "weekly"},
    ],
)
def test_invalid_preferences_are_refused(
    authed_client: AuthedClient, body: dict[str, object]
) -> None:
    user_id = uuid.uuid4()

    response = authed_client(user_id).patch(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] in {"validation_error", "unknown_field"}
    assert not ChannelPreference.objects.filter(user_id=user_id).exists()
