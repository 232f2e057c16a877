"""The caller's profile and avatar: read, change, upload (checked and re-encoded), serve;
each change published as accounts.user.updated."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pytest_django import Settings
from rest_framework.test import APIClient

from accounts.users import profiles
from accounts.users.models import User
from platform_common.events.contracts import validate_data
from platform_common.events.models import OutboxMessage
from platform_common.testing.images import png_bomb

PROFILE_URL = "/api/v1/accounts/me/profile/"
AVATAR_URL = "/api/v1/accounts/me/avatar/"
UPDATED = "accounts.user.updated"

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]


def published() -> list[dict[str, Any]]:
    events = [
        message.envelope
        for message in OutboxMessage.objects.filter(event_type=UPDATED).order_by("created_at")
    ]
    for envelope in events:
        assert envelope["version"] == 2
        validate_data(event_type=UPDATED, version=2, data=envelope["data"])
    return events


def image(image_format: str = "PNG", *, size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, format=image_format)
    return out.getvalue()


def upload(client: APIClient, content: bytes, name: str = "me.png") -> Any:
    return client.put(AVATAR_URL, {"avatar": SimpleUploadedFile(name, content)}, format="multipart")


def stored(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.glob("*")) if directory.exists() else []


def test_a_new_user_has_the_default_profile(authed_client: Client, user: User) -> None:
    response = authed_client(user.id).get(PROFILE_URL)

    assert response.status_code == 200
    assert response.json() == {
        "id": str(user.id),
        "email": "Carol@example.com",
        "display_name": "Carol",
        "bio": "",
        "locale": "en",
        "time_zone": "UTC",
        "phone_number": "",
        "avatar_url": None,
    }


def test_patch_changes_the_given_fields_and_publishes_the_projected_state(
    authed_client: Client, user: User
) -> None:
    response = authed_client(user.id).patch(
        PROFILE_URL,
        {"display_name": "Carol Shaw", "bio": "Writes games.", "time_zone": "Europe/Paris"},
        format="json",
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.display_name, user.bio, user.time_zone, user.locale) == (
        "Carol Shaw",
        "Writes games.",
        "Europe/Paris",
        "en",
    )
    [event] = published()
    assert event["aggregate_id"] == str(user.id)
    assert event["aggregate_version"] == user.version == 2
    assert event["data"] == {
        "user_id": str(user.id),
        "email": "Carol@example.com",
        "display_name": "Carol Shaw",
        "avatar_url": None,
        "locale": "en",
        "time_zone": "Europe/Paris",
        "phone_number": None,
    }


def test_a_patch_changing_nothing_publishes_nothing(authed_client: Client, user: User) -> None:
    response = authed_client(user.id).patch(PROFILE_URL, {"display_name": "Carol"}, format="json")

    assert response.status_code == 200
    assert published() == []
    user.refresh_from_db()
    assert user.version == 1


@pytest.mark.parametrize(
    "body",
    [
        {"time_zone": "Mars/Olympus_Mons"},
        {"locale": "xx-nope"},
        {"bio": "x" * 501},
        {"email": "other@example.com"},
        {"roles": ["admin"]},
    ],
    ids=["unknown-time-zone", "unknown-locale", "bio-too-long", "email", "roles"],
)
def test_invalid_or_forbidden_changes_are_refused(
    authed_client: Client, user: User, body: dict[str, Any]
) -> None:
    response = authed_client(user.id).patch(PROFILE_URL, body, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    user.refresh_from_db()
    assert (user.email, user.roles, user.version) == ("Carol@example.com", ["reader"], 1)


def test_an_avatar_upload_is_re_encoded_stored_served_and_published(
    authed_client: Client, user: User, avatar_dir: Path, settings: Settings
) -> None:
    client = authed_client(user.id)

    response = upload(client, image("JPEG"), name="holiday.png")

    assert response.status_code == 200, response.content
    url = response.json()["avatar_url"]
    assert url.startswith(settings.AVATAR_BASE_URL)
    [name] = stored(avatar_dir)
    assert url.endswith(f"/{name}")
    assert name.endswith(".jpg")
    served = APIClient().get(f"/api/v1/accounts/avatars/{name}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert "immutable" in served["Cache-Control"]
    assert Image.open(io.BytesIO(served.getvalue())).size == (64, 48)
    [event] = published()
    assert event["data"]["avatar_url"] == url


def test_a_new_avatar_replaces_the_old_file_once_committed(
    authed_client: Client,
    user: User,
    avatar_dir: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = authed_client(user.id)
    upload(client, image())
    [first] = stored(avatar_dir)

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, image(size=(32, 32)))

    assert response.status_code == 200
    user.refresh_from_db()
    assert stored(avatar_dir) == [user.avatar.name] != [first]
    assert len(published()) == 2


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"<html><script>alert(1)</script></html>", 400, "image_invalid"),
        (b"GIF89a" + b"<script>alert(1)</script>" * 4, 400, "image_invalid"),
        (os.urandom(600 * 1024), 413, "image_too_large"),
    ],
    ids=["html-named-png", "gif-header-script", "oversize"],
)
def test_bad_avatars_are_refused_and_nothing_is_stored(
    authed_client: Client,
    user: User,
    avatar_dir: Path,
    content: bytes,
    status: int,
    code: str,
) -> None:
    response = upload(authed_client(user.id), content)

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert stored(avatar_dir) == []
    assert published() == []


def test_a_decompression_bomb_avatar_is_refused(
    authed_client: Client, user: User, avatar_dir: Path
) -> None:
    response = upload(authed_client(user.id), png_bomb(20_000))

    assert response.status_code == 400
    assert response.json()["code"] == "image_dimensions_too_large"
    assert stored(avatar_dir) == []


def test_a_failed_transaction_deletes_the_file_it_stored(
    authed_client: Client, user: User, avatar_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*, user: User) -> None:
        raise RuntimeError("outbox down")

    monkeypatch.setattr(profiles, "user_updated_publish", broken)

    with pytest.raises(RuntimeError):
        profiles.user_avatar_set(user_id=user.id, source=io.BytesIO(image()))

    assert stored(avatar_dir) == []
    user.refresh_from_db()
    assert not user.avatar


def test_removing_the_avatar_publishes_a_null_url(authed_client: Client, user: User) -> None:
    client = authed_client(user.id)
    upload(client, image())

    response = client.delete(AVATAR_URL)

    assert response.status_code == 200
    assert response.json()["avatar_url"] is None
    assert [event["data"]["avatar_url"] is None for event in published()] == [False, True]


def test_an_unknown_avatar_is_a_404_problem(api_client: APIClient) -> None:
    response = api_client.get(f"/api/v1/accounts/avatars/{'0' * 32}.png")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_profile_needs_a_token(api_client: APIClient) -> None:
    assert api_client.get(PROFILE_URL).status_code == 401
    assert api_client.put(AVATAR_URL).status_code == 401


def test_a_phone_number_is_set_published_and_removed(authed_client: Client, user: User) -> None:
    client = authed_client(user.id)

    set_ = client.patch(PROFILE_URL, {"phone_number": "+4915112345678"}, format="json")
    removed = client.patch(PROFILE_URL, {"phone_number": ""}, format="json")

    assert set_.status_code == 200
    assert set_.json()["phone_number"] == "+4915112345678"
    assert removed.json()["phone_number"] == ""
    assert [event["data"]["phone_number"] for event in published()] == ["+4915112345678", None]


@pytest.mark.parametrize(
    "number", ["4915112345678", "+049151123456", "+49 151 12345678", "+12345", "+1234567890123456"]
)
def test_a_phone_number_not_in_e164_form_is_refused(
    authed_client: Client, user: User, number: str
) -> None:
    response = authed_client(user.id).patch(PROFILE_URL, {"phone_number": number}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "phone_number"
    user.refresh_from_db()
    assert user.phone_number == ""
    assert published() == []
