from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import RequestFactory
from pytest_django import Settings
from rest_framework.test import APIClient

from accounts.tokens.lockout import client_ip
from accounts.users.models import User
from accounts.users.services import user_register
from tests.conftest import PASSWORD

TOKEN_URL = "/api/v1/accounts/token/"
LIMIT = 3
COOL_OFF = timedelta(minutes=15)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _lockout_settings(settings: Settings) -> None:
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = COOL_OFF


def log_in(
    client: APIClient,
    email: str = "carol@example.com",
    password: str = PASSWORD,
    *,
    forwarded_for: str | None = None,
) -> Any:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(
        TOKEN_URL, {"email": email, "password": password}, format="json", headers=headers
    )


def fail(
    client: APIClient,
    times: int,
    email: str = "carol@example.com",
    *,
    forwarded_for: str | None = None,
) -> None:
    for _ in range(times):
        response = log_in(client, email, "not the password", forwarded_for=forwarded_for)
        assert response.status_code == 401


def test_after_the_failure_limit_even_the_right_password_is_refused(
    api_client: APIClient, user: User
) -> None:
    fail(api_client, LIMIT)

    response = log_in(api_client)

    assert response.status_code == 429
    assert response["Retry-After"] == str(int(COOL_OFF.total_seconds()))
    assert response.json()["code"] == "too_many_attempts"


def test_a_lockout_is_a_problem_document(api_client: APIClient, user: User) -> None:
    fail(api_client, LIMIT)

    response = log_in(api_client)

    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body == {
        "type": "urn:platform:problem:too_many_attempts",
        "title": "Too many attempts",
        "status": 429,
        "detail": "Too many failed login attempts; try again later.",
        "code": "too_many_attempts",
        "instance": TOKEN_URL,
        "request_id": body["request_id"],
    }
    assert body["request_id"]


def test_a_lockout_holds_only_for_that_email_and_client_address(
    api_client: APIClient, user: User
) -> None:
    user_register(email="dave@example.com", password=PASSWORD, display_name="Dave")
    fail(api_client, LIMIT, forwarded_for="198.51.100.7")

    locked = log_in(api_client, forwarded_for="198.51.100.7")
    other_address = log_in(api_client, forwarded_for="203.0.113.9")
    other_email = log_in(api_client, "dave@example.com", forwarded_for="198.51.100.7")

    assert locked.status_code == 429
    assert other_address.status_code == 200
    assert other_email.status_code == 200


def test_failures_count_for_the_email_in_any_case(api_client: APIClient, user: User) -> None:
    for email in ("CAROL@example.com", "carol@EXAMPLE.com", " Carol@Example.com"):
        log_in(api_client, email, "not the password")

    response = log_in(api_client)

    assert response.status_code == 429


def test_an_unknown_email_is_locked_out_like_a_known_one(api_client: APIClient) -> None:
    fail(api_client, LIMIT, email="nobody@example.com")

    response = log_in(api_client, email="nobody@example.com")

    assert response.status_code == 429
    assert response.json()["code"] == "too_many_attempts"


def test_a_successful_login_resets_the_failures(api_client: APIClient, user: User) -> None:
    fail(api_client, LIMIT - 1)
    assert log_in(api_client).status_code == 200

    fail(api_client, LIMIT - 1)
    response = log_in(api_client)

    assert response.status_code == 200


def test_a_successful_login_records_the_login_time(api_client: APIClient, user: User) -> None:
    response = log_in(api_client)

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.last_login is not None


def test_the_lockout_ends_after_the_cool_off(
    api_client: APIClient, user: User, settings: Settings
) -> None:
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    fail(api_client, LIMIT)
    locked = log_in(api_client)

    time.sleep(1.2)
    response = log_in(api_client)

    assert locked.status_code == 429
    assert locked["Retry-After"] == "1"
    assert response.status_code == 200


def test_the_client_address_is_the_one_the_gateway_forwarded() -> None:
    factory = RequestFactory()

    forwarded = factory.post(TOKEN_URL, HTTP_X_FORWARDED_FOR="198.51.100.7", REMOTE_ADDR="10.0.0.2")
    appended = factory.post(TOKEN_URL, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    garbage = factory.post(TOKEN_URL, HTTP_X_FORWARDED_FOR="not-an-ip", REMOTE_ADDR="10.0.0.2")
    direct = factory.post(TOKEN_URL, REMOTE_ADDR="10.0.0.2")

    assert client_ip(forwarded) == "198.51.100.7"
    assert client_ip(appended) == "198.51.100.7"
    assert client_ip(garbage) == "10.0.0.2"
    assert client_ip(direct) == "10.0.0.2"
