"""Sessions: list mine, revoke one, log out, log out everywhere; each revocation is listed
in the Redis Cluster where the gateway looks (``platform_common.auth.sessions``)."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from accounts.tokens.models import Session
from accounts.users.models import User
from platform_common.auth.sessions import revoked_session_key
from platform_common.cache import RedisClusterCache
from tests.factories import PASSWORD, UserFactory

TOKEN_URL = "/api/v1/accounts/token/"
REFRESH_URL = "/api/v1/accounts/token/refresh/"
SESSIONS_URL = "/api/v1/accounts/sessions/"

pytestmark = pytest.mark.django_db(transaction=True)  # revocations reach Redis on commit


def log_in(client: APIClient, email: str, agent: str) -> dict[str, Any]:
    response = client.post(
        TOKEN_URL,
        {"email": email, "password": PASSWORD},
        format="json",
        HTTP_USER_AGENT=agent,
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    body["sid"] = jwt.decode(body["access"], options={"verify_signature": False})["sid"]
    return body


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access']}"}


def listed_as_revoked(user: User, session_id: str) -> int | None:
    redis_cache = caches["default"]
    assert isinstance(redis_cache, RedisClusterCache)
    key = revoked_session_key(user_id=user.id, session_id=session_id)
    if not redis_cache.cluster.exists(key):
        return None
    ttl: int = redis_cache.cluster.ttl(key)
    redis_cache.cluster.delete(key)
    return ttl


def test_my_sessions_list_device_address_and_which_is_mine(
    api_client: APIClient, user: User
) -> None:
    laptop = log_in(api_client, user.email, "Firefox on a laptop")
    log_in(api_client, user.email, "Phone app")

    response = api_client.get(SESSIONS_URL, headers=bearer(laptop))

    assert response.status_code == 200
    sessions = response.json()["results"]
    assert [(s["user_agent"], s["current"]) for s in sessions] == [
        ("Phone app", False),
        ("Firefox on a laptop", True),
    ]
    assert {s["ip_address"] for s in sessions} == {"203.0.113.7"}
    assert set(sessions[0]) == {
        "id",
        "user_agent",
        "ip_address",
        "created_at",
        "last_used_at",
        "current",
    }


def test_revoking_a_session_ends_its_refresh_and_lists_it_for_the_gateway(
    api_client: APIClient, user: User
) -> None:
    mine = log_in(api_client, user.email, "laptop")
    phone = log_in(api_client, user.email, "phone")

    response = api_client.delete(f"{SESSIONS_URL}{phone['sid']}/", headers=bearer(mine))

    assert response.status_code == 204
    assert (
        api_client.post(REFRESH_URL, {"refresh": phone["refresh"]}, format="json").status_code
        == 401
    )
    ttl = listed_as_revoked(user, phone["sid"])
    assert ttl is not None
    assert 890 < ttl <= 900  # one access token lifetime
    assert listed_as_revoked(user, mine["sid"]) is None
    listed = api_client.get(SESSIONS_URL, headers=bearer(mine)).json()["results"]
    assert [s["id"] for s in listed] == [mine["sid"]]
    again = api_client.delete(f"{SESSIONS_URL}{phone['sid']}/", headers=bearer(mine))
    assert again.status_code == 404


def test_nobody_revokes_another_users_session(api_client: APIClient, user: User) -> None:
    other = UserFactory.create(email="eve@example.com")
    victim = log_in(api_client, user.email, "laptop")
    attacker = log_in(api_client, other.email, "laptop")

    response = api_client.delete(f"{SESSIONS_URL}{victim['sid']}/", headers=bearer(attacker))

    assert response.status_code == 404
    assert Session.objects.get(id=victim["sid"]).revoked_at is None


def test_logout_ends_this_session_only(api_client: APIClient, user: User) -> None:
    this, other = log_in(api_client, user.email, "a"), log_in(api_client, user.email, "b")

    assert api_client.post("/api/v1/accounts/logout/", headers=bearer(this)).status_code == 204

    assert Session.objects.get(id=this["sid"]).revoked_at is not None
    assert Session.objects.get(id=other["sid"]).revoked_at is None
    assert listed_as_revoked(user, this["sid"]) is not None


def test_logout_all_ends_every_session(api_client: APIClient, user: User) -> None:
    sessions = [log_in(api_client, user.email, agent) for agent in ("a", "b", "c")]

    assert (
        api_client.post("/api/v1/accounts/logout-all/", headers=bearer(sessions[0])).status_code
        == 204
    )

    assert not Session.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert all(listed_as_revoked(user, tokens["sid"]) is not None for tokens in sessions)


def test_refresh_records_the_sessions_last_use(api_client: APIClient, user: User) -> None:
    tokens = log_in(api_client, user.email, "laptop")
    before = Session.objects.get(id=tokens["sid"]).last_used_at

    refreshed = api_client.post(REFRESH_URL, {"refresh": tokens["refresh"]}, format="json")

    assert refreshed.status_code == 200
    assert Session.objects.get(id=tokens["sid"]).last_used_at > before
    new_sid = jwt.decode(refreshed.json()["access"], options={"verify_signature": False})["sid"]
    assert new_sid == tokens["sid"]
