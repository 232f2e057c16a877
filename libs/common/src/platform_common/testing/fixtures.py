"""Pytest plugin for the services: ``pytest_plugins = ["platform_common.testing.fixtures"]``.

``jwks_server`` points the settings at a real JWKS served on 127.0.0.1 and resets the
process-wide verifier; ``make_token(...)`` signs tokens it accepts; ``api_client`` and
``authed_client(user_id, roles=...)`` are DRF test clients; ``revoke_session(user_id,
session_id)`` lists a session as revoked, as accounts does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator

import pytest
from django.core.cache import caches
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from platform_common.auth.drf import reset_verifier
from platform_common.auth.sessions import revoked_session_key
from platform_common.cache import RedisClusterCache
from platform_common.testing.jwt import (
    TEST_AUDIENCE,
    TEST_ISSUER,
    JWKSServer,
    MakeToken,
    SigningKey,
)

pytest_plugins = ["platform_common.testing.token_fixtures"]


@pytest.fixture
def jwks_server(
    jwks_http_server: JWKSServer, jwt_signing_key: SigningKey, settings: Settings
) -> Iterator[JWKSServer]:
    """The JWKS server, with only the session key and zeroed counters, wired into settings."""
    jwks_http_server.reset([jwt_signing_key])
    settings.JWKS_URL = jwks_http_server.url
    settings.JWT_ISSUER = TEST_ISSUER
    settings.JWT_AUDIENCE = TEST_AUDIENCE
    settings.JWT_KEY_PROVIDER = None
    reset_verifier()
    yield jwks_http_server
    reset_verifier()


@pytest.fixture
def make_token(jwks_server: JWKSServer, sign_test_token: MakeToken) -> MakeToken:
    """Tokens the settings' verifier accepts (``jwks_server`` wires it)."""
    return sign_test_token


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def authed_client(make_token: MakeToken) -> Callable[..., APIClient]:
    """``authed_client(user_id, roles=("editor",))``: a fresh client sending a valid token."""

    def build(user_id: uuid.UUID | str | None = None, *, roles: Iterable[str] = ()) -> APIClient:
        client = APIClient()
        token = make_token(sub=user_id or uuid.uuid4(), roles=roles)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return build


RevokeSession = Callable[[uuid.UUID | str, uuid.UUID | str], None]


@pytest.fixture
def revoke_session() -> Iterator[RevokeSession]:
    """``revoke_session(user_id, session_id)``: list the session as revoked in the Redis
    Cluster, as accounts does when a session ends (removed again after the test)."""
    redis_cache = caches["default"]
    assert isinstance(redis_cache, RedisClusterCache)
    keys: list[str] = []

    def revoke(user_id: uuid.UUID | str, session_id: uuid.UUID | str) -> None:
        key = revoked_session_key(user_id=user_id, session_id=session_id)
        redis_cache.cluster.set(key, 1, ex=60)
        keys.append(key)

    yield revoke
    for key in keys:
        redis_cache.cluster.delete(key)
