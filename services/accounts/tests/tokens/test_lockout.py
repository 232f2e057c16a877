from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from axes.handlers.cache import AxesCacheHandler
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.core.cache import caches
from pytest_django import Settings
from rest_framework.test import APIClient

from accounts.users.models import User
from platform_common.cache import RedisClusterCache
from tests.factories import PASSWORD, UserFactory

TOKEN_URL = "/api/v1/accounts/token/"
LIMIT = 3
COOL_OFF = timedelta(minutes=15)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _lockout_settings(settings: Settings) -> None:
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = COOL_OFF


def failure_counters() -> list[bytes]:
    """The axes failure counters of this service in the Redis Cluster."""
    cache = caches[settings.AXES_CACHE]
    assert isinstance(cache, RedisClusterCache)
    cluster = cache.cluster
    pattern = f"{settings.CACHES['default']['KEY_PREFIX']}:*axes*"
    return list(cluster.scan_iter(match=pattern, target_nodes=cluster.ALL_NODES))


def log_in(
    client: APIClient,
    email: str = "carol@example.com",
    password: str = PASSWORD,
    *,
    forwarded_for: str | None = None,
    proxy_secret: str | None = None,
) -> Any:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    if proxy_secret is not None:
        headers["X-Gateway-Proxy-Secret"] = proxy_secret
    return client.post(
        TOKEN_URL, {"email": email, "password": password}, format="json", headers=headers
    )


def fail(
    client: APIClient,
    times: int,
    email: str = "carol@example.com",
    *,
    forwarded_for: str | None = None,
    proxy_secret: str | None = None,
) -> None:
    for _ in range(times):
        response = log_in(
            client,
            email,
            "not the password",
            forwarded_for=forwarded_for,
            proxy_secret=proxy_secret,
        )
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
    UserFactory.create(email="dave@example.com")
    via_gateway = {"proxy_secret": settings.GATEWAY_PROXY_SECRET}
    fail(api_client, LIMIT, forwarded_for="198.51.100.7", **via_gateway)

    locked = log_in(api_client, forwarded_for="198.51.100.7", **via_gateway)
    other_address = log_in(api_client, forwarded_for="203.0.113.9", **via_gateway)
    other_email = log_in(
        api_client, "dave@example.com", forwarded_for="198.51.100.7", **via_gateway
    )

    assert locked.status_code == 429
    assert other_address.status_code == 200
    assert other_email.status_code == 200


def test_a_direct_caller_cannot_dodge_the_lockout_with_a_rotating_forwarded_address(
    api_client: APIClient, user: User
) -> None:
    for attempt in range(LIMIT):
        failed = log_in(api_client, password="not the password", forwarded_for=f"192.0.2.{attempt}")
        assert failed.status_code == 401

    response = log_in(api_client, forwarded_for="192.0.2.200")

    assert response.status_code == 429


def test_a_wrong_proxy_secret_does_not_make_the_forwarded_address_count(
    api_client: APIClient, user: User
) -> None:
    for attempt in range(LIMIT):
        failed = log_in(
            api_client,
            password="not the password",
            forwarded_for=f"192.0.2.{attempt}",
            proxy_secret="guessed",
        )
        assert failed.status_code == 401

    response = log_in(api_client, forwarded_for="192.0.2.200", proxy_secret="guessed")

    assert response.status_code == 429


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


def test_the_lockout_runs_on_the_production_handler_and_cache() -> None:
    assert isinstance(AxesProxyHandler.get_implementation(force=True), AxesCacheHandler)
    assert isinstance(caches[settings.AXES_CACHE], RedisClusterCache)


@pytest.mark.parametrize("username_field", ["email", "username"])
def test_a_successful_login_resets_the_failures(
    api_client: APIClient, user: User, settings: Settings, username_field: str
) -> None:
    # axes' reset looks the email up under AXES_USERNAME_FORM_FIELD, its failures under
    # the login's own field: both must name the same counter whatever that setting is.
    settings.AXES_USERNAME_FORM_FIELD = username_field
    fail(api_client, LIMIT - 1)
    assert log_in(api_client).status_code == 200
    assert failure_counters() == []

    fail(api_client, LIMIT - 1)
    response = log_in(api_client)

    assert response.status_code == 200
    assert failure_counters() == []


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
