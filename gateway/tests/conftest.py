from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from gateway.config import Settings
from platform_common.testing.jwt import (
    TEST_AUDIENCE,
    TEST_ISSUER,
    JWKSServer,
    SigningKey,
)
from platform_common.testing.jwt import MakeToken as MakeToken  # the tests import it here
from tests.servers import serve, serve_gateway
from tests.upstreams import CloseLog, Gate, echo_app, notifications_app

pytest_plugins = ["platform_common.testing.token_fixtures"]

REDIS_CLUSTER_URL = "redis://127.0.0.1:7000/0"
ALLOWED_ORIGIN = "https://app.example"
MAX_BODY = 64 * 1024
PROXY_SECRET = "test-gateway-proxy-secret"


@dataclass(frozen=True)
class Upstreams:
    echo: str
    notifications: str
    gate: Gate
    close_log: CloseLog


StartGateway = Callable[..., AbstractAsyncContextManager[str]]
GatewayClient = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


def upstream_headers_of(response: httpx.Response) -> dict[str, list[str]]:
    """The request headers the echo upstream saw, by name."""
    seen: dict[str, list[str]] = {}
    for name, value in response.json()["headers"]:
        seen.setdefault(name, []).append(value)
    return seen


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
def make_token(sign_test_token: MakeToken) -> MakeToken:
    return sign_test_token


@pytest.fixture
def signing_key(jwt_signing_key: SigningKey) -> SigningKey:
    return jwt_signing_key


@pytest.fixture
async def upstreams() -> AsyncIterator[Upstreams]:
    gate, close_log = Gate(), CloseLog()
    async with serve(echo_app(gate)) as echo, serve(notifications_app(close_log)) as notifications:
        yield Upstreams(echo=echo, notifications=notifications, gate=gate, close_log=close_log)


@pytest.fixture
def settings_upstreams(upstreams: Upstreams) -> dict[str, str]:
    return {
        "accounts": upstreams.echo,
        "content": upstreams.echo,
        "notifications": upstreams.notifications,
    }


@pytest.fixture
def settings(settings_upstreams: dict[str, str], jwks_http_server: JWKSServer) -> Settings:
    return Settings(
        upstreams=settings_upstreams,
        redis_cluster_url=REDIS_CLUSTER_URL,
        jwt_issuer=TEST_ISSUER,
        jwt_audience=TEST_AUDIENCE,
        jwks_url=jwks_http_server.url,
        proxy_secret=PROXY_SECRET,
        max_request_body_bytes=MAX_BODY,
        upstream_read_timeout=0.5,
        # Above production's 0.25 s: on a loaded test machine a slow round trip would turn
        # the limiter open and readiness red. Dead-cluster tests use a closed port (refused
        # at once), so they do not wait for it.
        redis_timeout=1.0,
        rate_limit_anonymous=1000,
        rate_limit_authenticated=1000,
        # Each test counts on its own keys in the shared cluster.
        rate_limit_key_prefix=f"test-ratelimit-{uuid.uuid4().hex}",
        cors_allowed_origins=frozenset({ALLOWED_ORIGIN}),
        access_log=False,
    )


@pytest.fixture
def start_gateway(settings: Settings) -> StartGateway:
    """Starts a gateway whose settings differ from the default test ones by ``changes``."""

    @contextlib.asynccontextmanager
    async def start(**changes: Any) -> AsyncIterator[str]:
        async with serve_gateway(dataclasses.replace(settings, **changes)) as url:
            yield url

    return start


@pytest.fixture
def gateway_client(
    start_gateway: StartGateway, settings_upstreams: dict[str, str]
) -> GatewayClient:
    """A client of a gateway started with settings ``changes``, whose content upstream is
    ``content`` (a base URL) if given."""

    @contextlib.asynccontextmanager
    async def start(content: str | None = None, **changes: Any) -> AsyncIterator[httpx.AsyncClient]:
        if content is not None:
            changes["upstreams"] = {**settings_upstreams, "content": content}
        async with (
            start_gateway(**changes) as url,
            httpx.AsyncClient(base_url=url, timeout=10) as client,
        ):
            yield client

    return start


def ws_url(gateway: str, path: str) -> str:
    return gateway.replace("http://", "ws://") + path


@pytest.fixture
async def gateway(start_gateway: StartGateway) -> AsyncIterator[str]:
    async with start_gateway() as url:
        yield url


@pytest.fixture
async def client(gateway: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway, timeout=10) as http:
        yield http
