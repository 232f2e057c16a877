from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
import pytest
from pytest_django import Settings
from rest_framework.test import APIClient

from accounts.mfa.models import MfaChallenge, RecoveryCode
from accounts.mfa.services import totp_confirm, totp_enrol
from accounts.tokens.models import Session
from accounts.users.models import User
from tests.factories import PASSWORD
from tests.mfa.helpers import CLIENT, totp_code, wrong_code

TOKEN_URL = "/api/v1/accounts/token/"
MFA_URL = "/api/v1/accounts/token/mfa/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def recovery_codes(user: User) -> list[str]:
    totp_enrol(user_id=user.id)
    return totp_confirm(user_id=user.id, client=CLIENT, code=totp_code(user))


def log_in(client: APIClient) -> Any:
    return client.post(
        TOKEN_URL, {"email": "carol@example.com", "password": PASSWORD}, format="json"
    )


def complete(client: APIClient, challenge: str, code: str) -> Any:
    return client.post(MFA_URL, {"challenge": challenge, "code": code}, format="json")


def bearer(client: APIClient) -> APIClient:
    response = log_in(client)
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return client


def test_enrol_confirm_status_and_disable_through_the_api(
    api_client: APIClient, user: User
) -> None:
    client = bearer(api_client)

    enrolled = client.post("/api/v1/accounts/mfa/totp/")
    confirmed = client.post(
        "/api/v1/accounts/mfa/totp/confirm/", {"code": totp_code(user)}, format="json"
    )
    status = client.get("/api/v1/accounts/mfa/")
    disabled = client.post(
        "/api/v1/accounts/mfa/disable/",
        {"code": confirmed.json()["recovery_codes"][0]},
        format="json",
    )

    assert enrolled.status_code == 201
    assert enrolled.json()["otpauth_uri"].startswith("otpauth://totp/")
    assert enrolled["Cache-Control"] == "no-store"
    assert confirmed.status_code == 200
    assert len(confirmed.json()["recovery_codes"]) == 10
    assert status.json() == {"enabled": True}
    assert disabled.status_code == 204
    assert client.get("/api/v1/accounts/mfa/").json() == {"enabled": False}


def test_a_wrong_code_to_disable_is_a_problem(
    api_client: APIClient, user: User, recovery_codes: list[str], settings: Settings
) -> None:
    # Before MFA is on, the login gives tokens at once; switch it on after.
    settings.MFA_THROTTLE_FACTOR_SECONDS = 0
    RecoveryCode.objects.all().delete()
    client = api_client
    response = log_in(client)
    challenge = response.json()["challenge"]
    tokens = complete(client, challenge, totp_code(user, steps_ahead=1)).json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    refused = client.post(
        "/api/v1/accounts/mfa/disable/", {"code": wrong_code(user)}, format="json"
    )

    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "mfa_code_invalid"


def test_login_of_an_mfa_user_answers_a_challenge_and_no_tokens(
    api_client: APIClient, user: User, recovery_codes: list[str]
) -> None:
    response = log_in(api_client)

    assert response.status_code == 202
    assert response["Cache-Control"] == "no-store"
    assert set(response.json()) == {"challenge", "expires_in"}
    assert response.json()["expires_in"] == 300
    assert not Session.objects.exists()
    stored = MfaChallenge.objects.get()
    assert stored.token_hash != response.json()["challenge"]


def test_the_challenge_with_an_authenticator_code_gives_tokens_once(
    api_client: APIClient, user: User, recovery_codes: list[str]
) -> None:
    challenge = log_in(api_client).json()["challenge"]

    completed = complete(api_client, challenge, totp_code(user, steps_ahead=1))
    replayed = complete(api_client, challenge, totp_code(user, steps_ahead=1))

    assert completed.status_code == 200
    claims = jwt.decode(completed.json()["access"], options={"verify_signature": False})
    assert Session.objects.get(id=claims["sid"]).user_id == user.id
    assert replayed.status_code == 401
    assert replayed["Content-Type"] == "application/problem+json"
    assert replayed.json()["code"] == "mfa_challenge_invalid"


def test_a_recovery_code_completes_a_login_only_once(
    api_client: APIClient, user: User, recovery_codes: list[str]
) -> None:
    first = complete(api_client, log_in(api_client).json()["challenge"], recovery_codes[0])
    second = complete(api_client, log_in(api_client).json()["challenge"], recovery_codes[0])

    assert first.status_code == 200
    assert second.status_code == 401
    assert second.json()["code"] == "mfa_code_invalid"
    assert RecoveryCode.objects.filter(user=user).count() == 9


def test_an_expired_challenge_is_refused(
    api_client: APIClient, user: User, recovery_codes: list[str]
) -> None:
    challenge = log_in(api_client).json()["challenge"]
    MfaChallenge.objects.update(expires_at=MfaChallenge.objects.get().created_at)

    response = complete(api_client, challenge, totp_code(user, steps_ahead=1))

    assert response.status_code == 401
    assert response.json()["code"] == "mfa_challenge_invalid"


def test_an_unknown_challenge_is_refused(api_client: APIClient, user: User) -> None:
    response = complete(api_client, "not-a-challenge", "123456")

    assert response.status_code == 401
    assert response.json()["code"] == "mfa_challenge_invalid"


def test_wrong_codes_lock_the_authenticator_out_for_a_while(
    api_client: APIClient, user: User, recovery_codes: list[str], settings: Settings
) -> None:
    settings.MFA_THROTTLE_FACTOR_SECONDS = 60
    challenge = log_in(api_client).json()["challenge"]

    first = complete(api_client, challenge, wrong_code(user))
    locked = complete(api_client, challenge, totp_code(user, steps_ahead=1))

    assert first.status_code == 401
    assert first.json()["code"] == "mfa_code_invalid"
    assert locked.status_code == 429
    assert locked.json()["code"] == "too_many_attempts"
    assert 0 < int(locked["Retry-After"]) <= 60


def test_a_challenge_dies_after_too_many_wrong_codes(
    api_client: APIClient, user: User, recovery_codes: list[str], settings: Settings
) -> None:
    settings.MFA_THROTTLE_FACTOR_SECONDS = 0
    challenge = log_in(api_client).json()["challenge"]
    for _ in range(settings.MFA_CHALLENGE_MAX_ATTEMPTS):
        assert complete(api_client, challenge, wrong_code(user)).status_code == 401

    response = complete(api_client, challenge, totp_code(user, steps_ahead=1))

    assert response.status_code == 401
    assert response.json()["code"] == "mfa_challenge_invalid"


def test_the_challenge_lifetime_follows_the_setting(
    api_client: APIClient, user: User, recovery_codes: list[str], settings: Settings
) -> None:
    settings.MFA_CHALLENGE_LIFETIME = timedelta(seconds=60)

    response = log_in(api_client)

    assert response.json()["expires_in"] == 60
    stored = MfaChallenge.objects.get()
    assert stored.expires_at - stored.created_at == timedelta(seconds=60)
