from __future__ import annotations

import time

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from pytest_django import Settings
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

TOKEN_URL = "/api/v1/accounts/token/"
ATTEMPTS = 3


class MeasurableHasher(PBKDF2PasswordHasher):
    """Slow enough that a skipped hash shows in the timing, fast enough for a test."""

    iterations = 100_000


def fastest_login_seconds(client: APIClient, *, email: str, password: str) -> float:
    durations = []
    for _ in range(ATTEMPTS):
        started = time.perf_counter()
        response = client.post(TOKEN_URL, {"email": email, "password": password}, format="json")
        durations.append(time.perf_counter() - started)
        assert response.status_code == 401
    return min(durations)


@pytest.mark.django_db
def test_an_unknown_email_takes_as_long_as_a_wrong_password(
    settings: Settings, api_client: APIClient
) -> None:
    settings.PASSWORD_HASHERS = [f"{__name__}.MeasurableHasher"]
    UserFactory.create(email="grace@example.com")

    wrong_password = fastest_login_seconds(
        api_client, email="grace@example.com", password="not the password"
    )
    unknown_email = fastest_login_seconds(api_client, email="nobody@example.com", password=PASSWORD)

    assert unknown_email > wrong_password / 2
