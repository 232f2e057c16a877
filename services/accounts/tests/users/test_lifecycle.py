"""The account's life: the owner exports their data, and deletes the account (anonymised,
signed out everywhere, announced as accounts.user.deleted)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from accounts.tokens.models import Session
from accounts.users.models import AccountToken, User
from accounts.users.profiles import user_avatar_set
from platform_common.events.contracts import validate_data
from platform_common.events.models import OutboxMessage
from tests.factories import PASSWORD

EXPORT_URL = "/api/v1/accounts/me/export/"
DELETE_URL = "/api/v1/accounts/me/delete/"
TOKEN_URL = "/api/v1/accounts/token/"
DELETED = "accounts.user.deleted"

pytestmark = pytest.mark.django_db

Client = Callable[..., APIClient]


def png() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PNG")
    out.seek(0)
    return out


def log_in(email: str) -> dict[str, Any]:
    response = APIClient().post(TOKEN_URL, {"email": email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def test_the_export_holds_the_account_profile_and_sessions(
    authed_client: Client, user: User
) -> None:
    log_in(user.email)
    user.bio = "Writes games."
    user.save()

    response = authed_client(user.id).get(EXPORT_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["account"]["id"] == str(user.id)
    assert body["account"]["email"] == "Carol@example.com"
    assert body["account"]["roles"] == ["reader"]
    assert body["profile"]["bio"] == "Writes games."
    [session] = body["sessions"]
    assert session["id"] == str(Session.objects.get(user=user).id)
    assert session["revoked_at"] is None


def test_deleting_the_account_anonymises_it_and_ends_every_session(
    authed_client: Client,
    user: User,
    avatar_dir: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    refresh = log_in(user.email)["refresh"]
    user_avatar_set(user_id=user.id, source=png())
    AccountToken.objects.create(
        user=user, purpose="verify_email", token_hash="0" * 64, expires_at=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = authed_client(user.id).post(DELETE_URL, {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.deleted_at is not None
    assert (user.email, user.display_name, user.bio, user.avatar.name, user.roles) == (
        f"{user.id.hex}@deleted.invalid",
        "Deleted user",
        "",
        "",
        [],
    )
    assert not user.is_active
    assert not user.has_usable_password()
    assert not Session.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert not AccountToken.objects.filter(user=user).exists()
    assert list(avatar_dir.glob("*")) == []
    refused = APIClient().post(
        "/api/v1/accounts/token/refresh/", {"refresh": refresh}, format="json"
    )
    assert refused.status_code == 401
    [message] = OutboxMessage.objects.filter(event_type=DELETED)
    validate_data(event_type=DELETED, version=1, data=message.envelope["data"])
    assert message.envelope["data"]["user_id"] == str(user.id)
    assert message.envelope["aggregate_version"] == user.version


def test_a_deleted_account_cannot_sign_in_and_its_email_is_free_again(
    authed_client: Client, user: User
) -> None:
    authed_client(user.id).post(DELETE_URL, {"password": PASSWORD}, format="json")

    refused = APIClient().post(
        TOKEN_URL, {"email": "Carol@example.com", "password": PASSWORD}, format="json"
    )
    registered = APIClient().post(
        "/api/v1/accounts/register/",
        {"email": "carol@example.com", "password": PASSWORD, "display_name": "Carol"},
        format="json",
    )

    assert refused.status_code == 401
    assert registered.status_code == 201


def test_a_wrong_password_deletes_nothing(authed_client: Client, user: User) -> None:
    response = authed_client(user.id).post(DELETE_URL, {"password": "not it 123"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "password_incorrect"
    user.refresh_from_db()
    assert user.deleted_at is None
    assert user.is_active
    assert not OutboxMessage.objects.filter(event_type=DELETED).exists()
