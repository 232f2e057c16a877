"""Pytest plugin without Django: a real JWKS server and tokens it vouches for.

``pytest_plugins = ["platform_common.testing.token_fixtures"]`` (the gateway's tests);
the services' plugin ``platform_common.testing.fixtures`` builds on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from platform_common.testing.jwt import (
    TEST_AUDIENCE,
    TEST_ISSUER,
    JWKSServer,
    MakeToken,
    SigningKey,
    sign_token,
)


@pytest.fixture(scope="session")
def jwt_signing_key() -> SigningKey:
    """One RSA key for the whole run: generating keys is the slow part."""
    return SigningKey.generate(kid="test-key-1")


@pytest.fixture(scope="session")
def jwks_http_server(jwt_signing_key: SigningKey) -> Iterator[JWKSServer]:
    """Serves the session key on 127.0.0.1 (``.url``) for the whole run."""
    server = JWKSServer([jwt_signing_key]).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sign_test_token(jwt_signing_key: SigningKey) -> MakeToken:
    """Signs access tokens as accounts issues them (``TEST_ISSUER``, ``TEST_AUDIENCE``)."""

    def make(
        *,
        sub: uuid.UUID | str | None = None,
        roles: Iterable[str] = (),
        exp_delta: float = 900,
        kid: str | None = None,
        **claims: Any,
    ) -> str:
        return sign_token(
            jwt_signing_key,
            issuer=TEST_ISSUER,
            audience=TEST_AUDIENCE,
            sub=sub,
            roles=roles,
            exp_delta=exp_delta,
            kid=kid,
            **claims,
        )

    return make
