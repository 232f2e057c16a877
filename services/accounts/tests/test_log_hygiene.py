"""No email, password or token in any log line of accounts, whatever the flow."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from pytest_django import Settings
from rest_framework.test import APIClient

from platform_common.observability.logging import ContextFilter, PlatformJsonFormatter
from tests.factories import PASSWORD

REGISTER_URL = "/api/v1/accounts/register/"
TOKEN_URL = "/api/v1/accounts/token/"
REFRESH_URL = "/api/v1/accounts/token/refresh/"
NEW_PASSWORD = "a brand new passphrase 42"
# A user who typed the password into the email field.
PASSWORD_AS_EMAIL = "my secret passphrase 77"

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """Every record at any level, formatted as production formats it."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(PlatformJsonFormatter())
    handler.addFilter(ContextFilter(service="accounts"))
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield output
    root.removeHandler(handler)
    root.setLevel(previous_level)


def post(client: APIClient, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, format="json")


def test_no_email_password_or_token_reaches_the_logs(
    api_client: APIClient, settings: Settings, log_output: io.StringIO
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    settings.JWT_REFRESH_REUSE_GRACE = timedelta(0)
    registration = {"email": "Erin@Example.com", "password": NEW_PASSWORD, "display_name": "E"}
    assert post(api_client, REGISTER_URL, registration).status_code == 201
    assert post(api_client, REGISTER_URL, registration).status_code == 409
    weak = {**registration, "email": "weak@example.com", "password": "erin@example"}
    assert post(api_client, REGISTER_URL, weak).status_code == 400
    right = {"email": "erin@example.com", "password": NEW_PASSWORD}
    login = post(api_client, TOKEN_URL, right).json()
    refreshed = post(api_client, REFRESH_URL, {"refresh": login["refresh"]}).json()
    assert post(api_client, REFRESH_URL, {"refresh": login["refresh"]}).status_code == 401
    typo = {"email": PASSWORD_AS_EMAIL, "password": NEW_PASSWORD}
    wrong = {"email": "ERIN@example.com", "password": PASSWORD}
    for _ in range(3):
        assert post(api_client, TOKEN_URL, typo).status_code == 401
        assert post(api_client, TOKEN_URL, wrong).status_code == 401
    assert post(api_client, TOKEN_URL, right).status_code == 429
    assert post(api_client, TOKEN_URL, {"email": "nobody@example.com"}).status_code == 400

    logged = log_output.getvalue().lower()
    assert "erin@" in "".join(registration.values()).lower()  # the needle is right
    assert logged.count("\n") > 10
    for secret in (
        "erin@",
        "weak@",
        "nobody@",
        NEW_PASSWORD,
        PASSWORD,
        PASSWORD_AS_EMAIL,
        login["access"],
        login["refresh"],
        refreshed["access"],
        refreshed["refresh"],
    ):
        assert secret.lower() not in logged, secret
