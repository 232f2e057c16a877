"""The gateway's /metrics: on its own port only, with bounded labels, after real traffic."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
from starlette.types import ASGIApp

from platform_common.testing.metrics import Scrape, scrape
from tests.conftest import MakeToken, StartGateway, bearer, ws_url
from tests.servers import closed_port, raw_upstream, serve
from tests.upstreams import Hits, Hold, flaky_app, hold_app

GATEWAY = {"service": "gateway"}
ROUTE_GROUPS = {"accounts", "content", "notifications", "schema", "docs", "health", "unmatched"}


@dataclass(frozen=True)
class Served:
    client: httpx.AsyncClient
    url: str
    metrics_url: str

    async def scrape(self) -> Scrape:
        # The scrape is answered by the metrics thread, not this event loop.
        return await asyncio.to_thread(scrape, self.metrics_url)


@contextlib.asynccontextmanager
async def served(start_gateway: StartGateway, **changes: Any) -> AsyncIterator[Served]:
    port = closed_port()
    async with (
        start_gateway(metrics_port=port, **changes) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as client,
    ):
        yield Served(client, url, f"http://127.0.0.1:{port}/metrics")


@contextlib.asynccontextmanager
async def served_with_content(
    start_gateway: StartGateway, settings_upstreams: dict[str, str], content: ASGIApp
) -> AsyncIterator[Served]:
    """A gateway whose content upstream is the app ``content``."""
    async with (
        serve(content) as url,
        served(start_gateway, upstreams={**settings_upstreams, "content": url}) as gateway,
    ):
        yield gateway


def requests(metrics: Scrape, **labels: str) -> float:
    return metrics.total("http_requests_total", **GATEWAY, **labels)


async def test_metrics_are_served_on_their_own_port_never_on_the_public_one(
    start_gateway: StartGateway,
) -> None:
    async with served(start_gateway) as gateway:
        public = await gateway.client.get("/metrics")
        metrics = await gateway.scrape()

    assert public.status_code == 404
    assert metrics.value("gateway_breaker_state", **GATEWAY, upstream="content") == 0
    assert metrics.value("http_requests_in_flight", **GATEWAY) == 0


async def test_many_distinct_ids_make_one_route_label_per_group(
    start_gateway: StartGateway, make_token: MakeToken
) -> None:
    headers = bearer(make_token())
    async with served(start_gateway) as gateway:
        before = await gateway.scrape()
        for _ in range(25):
            await gateway.client.get(f"/api/v1/content/articles/{uuid.uuid4()}/", headers=headers)
            await gateway.client.get(f"/no/such/{uuid.uuid4()}")
        await gateway.client.get("/healthz")
        await gateway.client.get("/api/v1/docs/")
        after = await gateway.scrape()

    assert after.label_values("http_requests_total", "route", **GATEWAY) <= ROUTE_GROUPS
    content = dict(method="GET", route="content", status="200")
    assert requests(after, **content) == requests(before, **content) + 25
    unmatched = dict(method="GET", route="unmatched", status="404")
    assert requests(after, **unmatched) == requests(before, **unmatched) + 25
    assert requests(after, route="health") == requests(before, route="health") + 1
    assert requests(after, route="docs") == requests(before, route="docs") + 1
    count = "http_request_duration_seconds_count"
    assert after.total(count, **GATEWAY, route="content") == (
        before.total(count, **GATEWAY, route="content") + 25
    )
    upstream_count = "gateway_upstream_duration_seconds_count"
    assert after.total(upstream_count, **GATEWAY, upstream="content") == (
        before.total(upstream_count, **GATEWAY, upstream="content") + 25
    )


async def test_requests_in_flight_are_counted_while_they_wait(
    start_gateway: StartGateway, settings_upstreams: dict[str, str], make_token: MakeToken
) -> None:
    hold = Hold()
    async with served_with_content(start_gateway, settings_upstreams, hold_app(hold)) as gateway:
        held = [
            asyncio.create_task(
                gateway.client.get("/api/v1/content/held/", headers=bearer(make_token()))
            )
            for _ in range(3)
        ]
        await hold.until_waiting(3)
        waiting = await gateway.scrape()
        hold.release.set()
        await asyncio.gather(*held)
        done = await gateway.scrape()

    assert waiting.value("http_requests_in_flight", **GATEWAY) == 3
    assert done.value("http_requests_in_flight", **GATEWAY) == 0


async def test_retries_are_counted_per_upstream(
    start_gateway: StartGateway, settings_upstreams: dict[str, str], make_token: MakeToken
) -> None:
    flaky = flaky_app(Hits())
    async with served_with_content(start_gateway, settings_upstreams, flaky) as gateway:
        before = await gateway.scrape()
        response = await gateway.client.get(
            "/api/v1/content/x/?fail=2", headers=bearer(make_token())
        )
        after = await gateway.scrape()

    assert response.status_code == 200
    retries = "gateway_upstream_retries_total"
    assert after.total(retries, **GATEWAY, upstream="content") == (
        before.total(retries, **GATEWAY, upstream="content") + 2
    )


async def test_an_open_breaker_shows_as_2(
    start_gateway: StartGateway, settings_upstreams: dict[str, str], make_token: MakeToken
) -> None:
    async with raw_upstream() as broken:
        upstreams = {**settings_upstreams, "content": broken.url}
        async with served(
            start_gateway, upstreams=upstreams, breaker_failure_threshold=2, retries=0
        ) as gateway:
            for _ in range(2):
                await gateway.client.get("/api/v1/content/x/", headers=bearer(make_token()))
            metrics = await gateway.scrape()

    assert metrics.value("gateway_breaker_state", **GATEWAY, upstream="content") == 2
    assert metrics.value("gateway_breaker_state", **GATEWAY, upstream="accounts") == 0


async def test_rate_limited_requests_are_counted_by_limit(start_gateway: StartGateway) -> None:
    async with served(start_gateway, rate_limit_anonymous=2) as gateway:
        before = await gateway.scrape()
        statuses = [
            (await gateway.client.get("/api/v1/content/articles/")).status_code for _ in range(4)
        ]
        after = await gateway.scrape()

    assert statuses == [200, 200, 429, 429]
    limited = "gateway_rate_limited_total"
    assert after.total(limited, **GATEWAY, limit="anonymous") == (
        before.total(limited, **GATEWAY, limit="anonymous") + 2
    )
    assert requests(after, route="content", status="429") == (
        requests(before, route="content", status="429") + 2
    )


async def test_open_websockets_are_a_gauge(
    start_gateway: StartGateway, make_token: MakeToken
) -> None:
    async with served(start_gateway) as gateway, aiohttp.ClientSession() as session:
        sockets = [
            await session.ws_connect(
                ws_url(gateway.url, "/ws/notifications/"), headers=bearer(make_token())
            )
            for _ in range(2)
        ]
        for socket in sockets:
            await socket.receive()  # the upstream's hello: the socket is proxied
        while_open = await gateway.scrape()
        for socket in sockets:
            await socket.close()
        for _ in range(100):
            closed = await gateway.scrape()
            if closed.value("gateway_websockets_open", **GATEWAY) == 0:
                break
            await asyncio.sleep(0.05)

    assert while_open.value("gateway_websockets_open", **GATEWAY) == 2
    assert closed.value("gateway_websockets_open", **GATEWAY) == 0
