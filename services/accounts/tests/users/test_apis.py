from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens.services import access_token_issue
from accounts.users.models import User
from tests.factories import PASSWORD

REGISTER_URL = "/api/v1/accounts/register/"
ME_URL = "/api/v1/accounts/me/"
PROBLEM_JSON = "application/problem+json"

pytestmark = pytest.mark.django_db


def registration(**overrides: Any) -> dict[str, Any]:
    return {"email": "dave@example.com", "password": PASSWORD, "display_name": "Dave", **overrides}


def test_register_creates_the_user(api_client: APIClient) -> None:
    response = api_client.post(REGISTER_URL, registration(), format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email", "display_name", "date_joined"}
    user = User.objects.get(pk=body["id"])
    assert (user.email, user.display_name, user.roles) == ("dave@example.com", "Dave", ["reader"])
    assert user.check_password(PASSWORD)


def test_register_rejects_an_email_taken_in_another_case(api_client: APIClient, user: User) -> None:
    response = api_client.post(REGISTER_URL, registration(email="CAROL@example.COM"), format="json")

    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json()["code"] == "email_taken"
    assert User.objects.count() == 1


def test_register_rejects_unknown_fields(api_client: APIClient) -> None:
    response = api_client.post(REGISTER_URL, registration(is_staff=True), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_field"
    assert not User.objects.exists()


def test_register_rejects_wrong_types(api_client: APIClient) -> None:
    response = api_client.post(
        REGISTER_URL, registration(email=42, display_name=["Dave"]), format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert {error["field"] for error in body["errors"]} == {"email", "display_name"}


def test_register_rejects_malformed_json(api_client: APIClient) -> None:
    response = api_client.post(REGISTER_URL, '{"email": ', content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json()["code"] == "malformed_json"


@pytest.mark.parametrize("weak_password", ["short1", "password123", "12345678901", "dave@example"])
def test_register_rejects_a_weak_password(api_client: APIClient, weak_password: str) -> None:
    response = api_client.post(REGISTER_URL, registration(password=weak_password), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert {error["field"] for error in body["errors"]} == {"password"}
    assert not User.objects.exists()


def test_me_returns_the_caller(api_client: APIClient, user: User) -> None:
    token = access_token_issue(user=user, now=timezone.now(), session_id=uuid.uuid4())

    response = api_client.get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    assert response.json() == {
        "id": str(user.id),
        "email": "Carol@example.com",
        "display_name": "Carol",
        "date_joined": response.json()["date_joined"],
        "roles": ["reader"],
        "email_verified": False,
    }


def test_me_requires_a_token(api_client: APIClient) -> None:
    response = api_client.get(ME_URL)

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json()["code"] == "not_authenticated"


def test_me_rejects_an_expired_token(api_client: APIClient, user: User) -> None:
    token = access_token_issue(
        user=user, now=timezone.now() - timedelta(hours=1), session_id=uuid.uuid4()
    )

    response = api_client.get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_me_rejects_a_forged_token(api_client: APIClient, user: User) -> None:
    token = access_token_issue(user=user, now=timezone.now(), session_id=uuid.uuid4())
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"

    response = api_client.get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {forged}")

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_me_of_a_deleted_user_is_not_found(api_client: APIClient, user: User) -> None:
    token = access_token_issue(user=user, now=timezone.now(), session_id=uuid.uuid4())
    user.delete()

    response = api_client.get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
