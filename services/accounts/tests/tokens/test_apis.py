from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from pytest_django import Settings
from rest_framework.test import APIClient

from accounts.tokens.keys import current_key_set
from accounts.tokens.models import RefreshToken, Session
from accounts.users.models import User
from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/accounts/token/"
REFRESH_URL = "/api/v1/accounts/token/refresh/"
JWKS_URL = "/.well-known/jwks.json"

pytestmark = pytest.mark.django_db


def log_in(client: APIClient, email: str = "carol@example.com", password: str = PASSWORD) -> Any:
    return client.post(TOKEN_URL, {"email": email, "password": password}, format="json")


def refresh_with(client: APIClient, refresh: str) -> Any:
    return client.post(REFRESH_URL, {"refresh": refresh}, format="json")


def without_request_identity(problem: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in problem.items() if key not in {"request_id", "instance"}}


def test_log_in_issues_a_signed_access_token_and_a_refresh_token(
    api_client: APIClient, user: User
) -> None:
    response = log_in(api_client)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 900)
    signing_key = current_key_set().signing_key(now=timezone.now())
    assert jwt.get_unverified_header(body["access"])["kid"] == signing_key.kid
    claims = jwt.decode(
        body["access"],
        signing_key.private_key.public_key(),
        algorithms=["RS256"],
        audience=settings.JWT_AUDIENCE,
        issuer=settings.JWT_ISSUER,
    )
    assert claims["sub"] == str(user.id)
    assert claims["roles"] == ["reader"]
    assert claims["exp"] - claims["iat"] == 900
    assert set(claims) == {"iss", "aud", "sub", "exp", "iat", "jti", "roles", "sid"}
    assert Session.objects.get(id=claims["sid"]).user_id == user.id
    assert RefreshToken.objects.get().user == user


def test_log_in_ignores_the_case_of_the_email(api_client: APIClient, user: User) -> None:
    response = log_in(api_client, email="CAROL@EXAMPLE.COM")

    assert response.status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_answer(
    api_client: APIClient, user: User
) -> None:
    wrong_password = log_in(api_client, password="not the password")
    unknown_email = log_in(api_client, email="nobody@example.com")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password["Content-Type"] == unknown_email["Content-Type"]
    assert without_request_identity(wrong_password.json()) == without_request_identity(
        unknown_email.json()
    )
    assert wrong_password.json()["code"] == "invalid_credentials"
    assert not RefreshToken.objects.exists()


def test_an_inactive_user_cannot_log_in(api_client: APIClient, user: User) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = log_in(api_client)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_refresh_rotates_the_refresh_token(api_client: APIClient, user: User) -> None:
    first = log_in(api_client).json()

    response = refresh_with(api_client, first["refresh"])

    assert response.status_code == 200
    second = response.json()
    assert second["refresh"] != first["refresh"]
    assert jwt.decode(second["access"], options={"verify_signature": False})["sub"] == str(user.id)
    spent, fresh = RefreshToken.objects.order_by("created_at", "used_at")
    assert spent.used_at is not None
    assert fresh.used_at is None
    assert spent.family_id == fresh.family_id
    assert refresh_with(api_client, second["refresh"]).status_code == 200


def test_reusing_a_spent_refresh_token_revokes_the_whole_family(
    api_client: APIClient, user: User, settings: Settings
) -> None:
    settings.JWT_REFRESH_REUSE_GRACE = timedelta(0)
    first = log_in(api_client).json()
    other_session = log_in(api_client).json()
    second = refresh_with(api_client, first["refresh"]).json()

    reused = refresh_with(api_client, first["refresh"])

    assert reused.status_code == 401
    assert reused.json()["code"] == "token_reused"
    newest = refresh_with(api_client, second["refresh"])
    assert newest.status_code == 401
    assert newest.json()["code"] == "invalid_token"
    assert refresh_with(api_client, other_session["refresh"]).status_code == 200


def test_a_concurrent_duplicate_refresh_is_a_retryable_conflict(
    api_client: APIClient, user: User
) -> None:
    first = log_in(api_client).json()
    second = refresh_with(api_client, first["refresh"]).json()

    duplicate = refresh_with(api_client, first["refresh"])

    assert duplicate.status_code == 409
    assert duplicate["Content-Type"] == "application/problem+json"
    assert duplicate.json()["code"] == "refresh_token_rotated"
    assert refresh_with(api_client, second["refresh"]).status_code == 200


def test_an_unknown_refresh_token_is_invalid(api_client: APIClient) -> None:
    response = refresh_with(api_client, "made-up")

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_an_expired_refresh_token_is_refused(api_client: APIClient, user: User) -> None:
    refresh = log_in(api_client).json()["refresh"]
    RefreshToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = refresh_with(api_client, refresh)

    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_a_refresh_token_of_a_deactivated_user_is_refused(
    api_client: APIClient, user: User
) -> None:
    refresh = log_in(api_client).json()["refresh"]
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = refresh_with(api_client, refresh)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_jwks_publishes_every_public_key(client: Client) -> None:
    response = client.get(JWKS_URL)

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    keys = response.json()["keys"]
    assert [key["kid"] for key in keys] == [key.kid for key in current_key_set().keys]
    for key in keys:
        assert set(key) == {"kty", "use", "alg", "kid", "n", "e"}
        assert (key["kty"], key["use"], key["alg"]) == ("RSA", "sig", "RS256")
