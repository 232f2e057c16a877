"""Email verification, password reset and change: links from the outbox, single use,
expiry, no user enumeration, sessions ended, Argon2 with the upgrade of older hashes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import hashers
from django.utils import timezone
from pytest_django import Settings
from rest_framework.test import APIClient

from accounts.config import settings as service_settings
from accounts.tokens.models import Session
from accounts.users.models import AccountToken, User
from platform_common.events.contracts import validate_data
from platform_common.events.models import OutboxMessage
from tests.factories import PASSWORD, UserFactory

REGISTER_URL = "/api/v1/accounts/register/"
TOKEN_URL = "/api/v1/accounts/token/"
VERIFY_URL = "/api/v1/accounts/email/verify/"
RESEND_URL = "/api/v1/accounts/email/verify/resend/"
RESET_URL = "/api/v1/accounts/password/reset/"
RESET_CONFIRM_URL = "/api/v1/accounts/password/reset/confirm/"
CHANGE_URL = "/api/v1/accounts/password/change/"
ME_URL = "/api/v1/accounts/me/"
NEW_PASSWORD = "a brand new passphrase 42"
VERIFICATION = "accounts.user.verification_requested"
RESET = "accounts.user.password_reset_requested"

pytestmark = pytest.mark.django_db


def mailed(event_type: str) -> list[dict[str, Any]]:
    """The data of every event of ``event_type`` in the outbox, oldest first; each is valid
    under its published contract."""
    events = [
        message.envelope["data"]
        for message in OutboxMessage.objects.filter(event_type=event_type).order_by("created_at")
    ]
    for data in events:
        validate_data(event_type=event_type, version=1, data=data)
    return events


def token_of(link: str) -> str:
    _, _, token = link.partition("#token=")
    assert token
    return token


def log_in(client: APIClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post(TOKEN_URL, {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def bearer(access: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access}"}


def test_sign_up_mails_a_single_use_verification_link(
    api_client: APIClient, settings: Settings
) -> None:
    registered = api_client.post(
        REGISTER_URL,
        {"email": "dave@example.com", "password": PASSWORD, "display_name": "Dave"},
        format="json",
    ).json()

    [event] = mailed(VERIFICATION)
    assert event["user_id"] == registered["id"]
    assert event["email"] == "dave@example.com"
    assert event["verification_url"].startswith(f"{settings.ACCOUNT_LINK_BASE_URL}/verify-email#")
    token = token_of(event["verification_url"])
    # Only the token's hash is stored.
    assert not AccountToken.objects.filter(token_hash=token).exists()

    assert api_client.post(VERIFY_URL, {"token": token}, format="json").status_code == 204
    assert User.objects.get(pk=registered["id"]).email_verified_at is not None

    again = api_client.post(VERIFY_URL, {"token": token}, format="json")
    assert again.status_code == 404
    assert again.json()["code"] == "account_token_invalid"


def test_an_expired_verification_link_is_refused(api_client: APIClient, user: User) -> None:
    api_client.post(RESEND_URL, {"email": user.email}, format="json")
    [event] = mailed(VERIFICATION)
    AccountToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = api_client.post(
        VERIFY_URL, {"token": token_of(event["verification_url"])}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["code"] == "account_token_invalid"
    assert User.objects.get(pk=user.pk).email_verified_at is None


def test_resend_retires_the_earlier_link(api_client: APIClient, user: User) -> None:
    api_client.post(RESEND_URL, {"email": user.email}, format="json")
    api_client.post(RESEND_URL, {"email": user.email.upper()}, format="json")
    first, second = mailed(VERIFICATION)

    old = api_client.post(VERIFY_URL, {"token": token_of(first["verification_url"])}, format="json")
    new = api_client.post(
        VERIFY_URL, {"token": token_of(second["verification_url"])}, format="json"
    )

    assert (old.status_code, new.status_code) == (404, 204)


@pytest.mark.parametrize(("url", "event_type"), [(RESEND_URL, VERIFICATION), (RESET_URL, RESET)])
def test_known_and_unknown_emails_get_the_same_answer_and_work(
    api_client: APIClient, user: User, url: str, event_type: str
) -> None:
    """No enumeration: the same status and body, and neither path hashes a password (the
    only expensive step an account's existence could add)."""
    with mock.patch.object(hashers, "make_password", wraps=hashers.make_password) as hashed:
        known = api_client.post(url, {"email": user.email}, format="json")
        unknown = api_client.post(url, {"email": "nobody@example.com"}, format="json")

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert hashed.call_count == 0
    assert [event["email"] for event in mailed(event_type)] == [user.email]


def test_a_verified_account_gets_no_new_verification_mail(
    api_client: APIClient, user: User
) -> None:
    User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())

    response = api_client.post(RESEND_URL, {"email": user.email}, format="json")

    assert response.status_code == 202
    assert mailed(VERIFICATION) == []


def test_password_reset_sets_the_password_and_ends_every_session(
    api_client: APIClient, user: User
) -> None:
    first, second = log_in(api_client, user.email), log_in(api_client, user.email)
    api_client.post(RESET_URL, {"email": user.email}, format="json")
    [event] = mailed(RESET)
    token = token_of(event["reset_url"])

    response = api_client.post(
        RESET_CONFIRM_URL, {"token": token, "new_password": NEW_PASSWORD}, format="json"
    )

    assert response.status_code == 204
    assert not Session.objects.filter(user=user, revoked_at__isnull=True).exists()
    for pair in (first, second):
        refreshed = api_client.post(
            "/api/v1/accounts/token/refresh/", {"refresh": pair["refresh"]}, format="json"
        )
        assert refreshed.status_code == 401
    log_in(api_client, user.email, NEW_PASSWORD)
    reused = api_client.post(
        RESET_CONFIRM_URL, {"token": token, "new_password": "yet another one 77"}, format="json"
    )
    assert reused.status_code == 404


def test_password_reset_refuses_a_weak_password_and_keeps_the_link(
    api_client: APIClient, user: User
) -> None:
    api_client.post(RESET_URL, {"email": user.email}, format="json")
    token = token_of(mailed(RESET)[0]["reset_url"])

    weak = api_client.post(
        RESET_CONFIRM_URL, {"token": token, "new_password": "password123"}, format="json"
    )

    assert weak.status_code == 400
    assert {error["field"] for error in weak.json()["errors"]} == {"new_password"}
    strong = api_client.post(
        RESET_CONFIRM_URL, {"token": token, "new_password": NEW_PASSWORD}, format="json"
    )
    assert strong.status_code == 204


def test_password_change_keeps_this_session_and_ends_the_others(
    api_client: APIClient, user: User
) -> None:
    this, other = log_in(api_client, user.email), log_in(api_client, user.email)

    response = api_client.post(
        CHANGE_URL,
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
        headers=bearer(this["access"]),
    )

    assert response.status_code == 204
    refresh = "/api/v1/accounts/token/refresh/"
    assert api_client.post(refresh, {"refresh": this["refresh"]}, format="json").status_code == 200
    assert api_client.post(refresh, {"refresh": other["refresh"]}, format="json").status_code == 401
    log_in(api_client, user.email, NEW_PASSWORD)


def test_password_change_needs_the_current_password(api_client: APIClient, user: User) -> None:
    tokens = log_in(api_client, user.email)

    response = api_client.post(
        CHANGE_URL,
        {"current_password": "not it", "new_password": NEW_PASSWORD},
        format="json",
        headers=bearer(tokens["access"]),
    )

    assert response.status_code == 403
    assert response.json()["code"] == "password_incorrect"
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


ARGON2_FIRST = [
    "accounts.users.hashers.PlatformArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def test_the_service_hashes_with_argon2_first() -> None:
    # The module's list: the test settings swap in a fast hasher.
    assert service_settings.PASSWORD_HASHERS[:2] == ARGON2_FIRST


def test_a_pbkdf2_hash_is_upgraded_to_argon2_at_login(
    api_client: APIClient, settings: Settings
) -> None:
    settings.PASSWORD_HASHERS = ARGON2_FIRST
    legacy = UserFactory.create(email="old@example.com", password="x")
    User.objects.filter(pk=legacy.pk).update(
        password=hashers.make_password(PASSWORD, hasher="pbkdf2_sha256")
    )

    log_in(api_client, "old@example.com")

    upgraded = User.objects.get(pk=legacy.pk).password
    assert upgraded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert hashers.check_password(PASSWORD, upgraded)
