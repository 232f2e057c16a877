"""Each upstream and the WebSockets have their own connections: one cannot starve another,
and a full pool is the gateway's own limit, never an upstream failure."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import aiohttp
import httpx
import pytest

from tests.conftest import MakeToken, StartGateway, bearer
from tests.servers import serve
from tests.upstreams import Hold, hold_app


async def test_slow_requests_to_one_upstream_leave_the_others_and_its_breaker_alone(
    start_gateway: StartGateway, settings_upstreams: dict[str, str], make_token: MakeToken
) -> None:
    headers = bearer(make_token())
    hold = Hold()
    async with serve(hold_app(hold)) as slow:
        upstreams = {**settings_upstreams, "content": slow}
        async with (
            start_gateway(
                upstreams=upstreams,
                upstream_pool_size=3,
                upstream_read_timeout=10,
                breaker_failure_threshold=1,
            ) as url,
            httpx.AsyncClient(base_url=url, timeout=10) as client,
        ):
            held = [
                asyncio.create_task(client.get("/api/v1/content/held/", headers=headers))
                for _ in range(3)
            ]
            await hold.until_waiting(3)
            started = time.monotonic()
            other = await client.get("/api/v1/accounts/me/", headers=headers)
            busy = await client.get("/api/v1/content/held/", headers=headers)
            elapsed = time.monotonic() - started
            breakers = (await client.get("/readyz")).json()["breakers"]
            hold.release.set()
            released = await asyncio.gather(*held)

    assert other.status_code == 200
    assert busy.status_code == 503
    assert busy.json()["code"] == "upstream_busy"
    assert busy.headers["retry-after"] == "1"
    assert elapsed < 0.5
    assert breakers["content"] == {"state": "closed", "consecutive_failures": 0}
    assert [response.status_code for response in released] == [200, 200, 200]


@contextlib.asynccontextmanager
async def open_sockets(url: str, token: str, count: int) -> AsyncIterator[None]:
    async with aiohttp.ClientSession() as session, contextlib.AsyncExitStack() as stack:
        for _ in range(count):
            ws = await stack.enter_async_context(
                session.ws_connect(
                    url.replace("http://", "ws://") + "/ws/notifications/",
                    headers=bearer(token),
                )
            )
            await ws.receive()
        yield


async def test_open_websockets_take_no_http_connections(
    start_gateway: StartGateway, make_token: MakeToken
) -> None:
    token = make_token()
    async with (
        start_gateway(upstream_pool_size=2) as url,
        httpx.AsyncClient(base_url=url) as client,
        open_sockets(url, token, 3),
    ):
        started = time.monotonic()
        response = await client.get("/api/v1/notifications/", headers=bearer(token))
        elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert elapsed < 0.5


async def test_open_websockets_are_capped_per_user(
    start_gateway: StartGateway, make_token: MakeToken
) -> None:
    alice, bob = make_token(), make_token()
    async with start_gateway(websocket_max_per_client=2) as url:
        async with open_sockets(url, alice, 2):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                async with open_sockets(url, alice, 1):
                    pass
            async with open_sockets(url, bob, 2):
                pass
        async with open_sockets(url, alice, 2):
            pass

    assert refused.value.status == 429
    assert refused.value.headers is not None
    assert refused.value.headers["content-type"] == "application/problem+json"


async def test_open_websockets_are_capped_in_all(
    start_gateway: StartGateway, make_token: MakeToken
) -> None:
    async with (
        start_gateway(websocket_max_connections=2) as url,
        open_sockets(url, make_token(), 2),
    ):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            async with open_sockets(url, make_token(), 1):
                pass

    assert refused.value.status == 503
