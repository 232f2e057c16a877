"""Idempotent, body-less requests are retried on connection failures and 502/503."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import MakeToken, StartGateway
from tests.servers import closed_port, raw_upstream, serve
from tests.upstreams import Hits, flaky_app


@pytest.fixture
async def flaky(settings_upstreams: dict[str, str]) -> AsyncIterator[tuple[Hits, dict[str, str]]]:
    hits = Hits()
    async with serve(flaky_app(hits)) as url:
        yield hits, {**settings_upstreams, "content": url}


def bearer(make_token: MakeToken) -> dict[str, str]:
    return {"authorization": f"Bearer {make_token()}"}


@pytest.mark.parametrize(
    ("method", "content", "idempotent"),
    [
        ("GET", None, True),
        ("HEAD", None, True),
        ("OPTIONS", None, True),
        ("DELETE", None, True),
        # Bodies are received whole before the first attempt, so they can be sent again.
        ("PUT", b"{}", True),
        ("POST", None, False),
        ("PATCH", None, False),
        ("POST", b"{}", False),
        ("PATCH", b"{}", False),
    ],
)
async def test_only_idempotent_requests_are_retried_on_503(
    start_gateway: StartGateway,
    flaky: tuple[Hits, dict[str, str]],
    make_token: MakeToken,
    method: str,
    content: bytes | None,
    idempotent: bool,
) -> None:
    hits, upstreams = flaky
    async with start_gateway(upstreams=upstreams) as url, httpx.AsyncClient(base_url=url) as c:
        response = await c.request(
            method, "/api/v1/content/x/?fail=2", headers=bearer(make_token), content=content
        )

    assert response.status_code == (200 if idempotent else 503)
    assert hits.by_path["/api/v1/content/x/"] == (3 if idempotent else 1)


async def test_502_is_retried_too_and_retries_are_capped(
    start_gateway: StartGateway, flaky: tuple[Hits, dict[str, str]], make_token: MakeToken
) -> None:
    hits, upstreams = flaky
    async with start_gateway(upstreams=upstreams) as url, httpx.AsyncClient(base_url=url) as c:
        response = await c.get("/api/v1/content/x/?fail=9&status=502", headers=bearer(make_token))

    # 1 + GATEWAY_RETRIES (2); the upstream's last answer reaches the client as it is.
    assert hits.by_path["/api/v1/content/x/"] == 3
    assert response.status_code == 502
    assert response.json() == {"hit": 3, "failed": True}


async def test_retries_follow_the_setting(
    start_gateway: StartGateway, flaky: tuple[Hits, dict[str, str]], make_token: MakeToken
) -> None:
    hits, upstreams = flaky
    async with (
        start_gateway(upstreams=upstreams, retries=0) as url,
        httpx.AsyncClient(base_url=url) as c,
    ):
        response = await c.get("/api/v1/content/x/?fail=1", headers=bearer(make_token))

    assert response.status_code == 503
    assert hits.by_path["/api/v1/content/x/"] == 1


@pytest.mark.parametrize("status", [500, 504, 429])
async def test_other_errors_are_not_retried(
    start_gateway: StartGateway,
    flaky: tuple[Hits, dict[str, str]],
    make_token: MakeToken,
    status: int,
) -> None:
    hits, upstreams = flaky
    async with start_gateway(upstreams=upstreams) as url, httpx.AsyncClient(base_url=url) as c:
        response = await c.get(
            f"/api/v1/content/x/?fail=1&status={status}", headers=bearer(make_token)
        )

    assert response.status_code == status
    assert hits.by_path["/api/v1/content/x/"] == 1


async def test_dropped_connections_are_resent_once_for_get_but_not_for_post(
    start_gateway: StartGateway, settings_upstreams: dict[str, str], make_token: MakeToken
) -> None:
    async with raw_upstream() as upstream:
        upstreams = {**settings_upstreams, "content": upstream.url}
        async with (
            start_gateway(upstreams=upstreams, breaker_failure_threshold=100) as url,
            httpx.AsyncClient(base_url=url) as c,
        ):
            get = await c.get("/api/v1/content/x/", headers=bearer(make_token))
            after_get = upstream.requests
            post = await c.post("/api/v1/content/x/", headers=bearer(make_token))

    assert get.status_code == 502
    assert get.json()["code"] == "bad_gateway"
    # Once, by the HTTP client (RFC 9112 §9.3.1): the request may have been processed.
    assert after_get == 2
    assert post.status_code == 502
    assert upstream.requests - after_get == 1


async def test_refused_connections_are_retried_for_get_but_not_for_post(
    start_gateway: StartGateway, settings_upstreams: dict[str, str], make_token: MakeToken
) -> None:
    # Refused attempts are invisible upstream; the breaker counts them instead: each
    # attempt is one failure, and 3 open it.
    down = {**settings_upstreams, "content": f"http://127.0.0.1:{closed_port()}"}
    async with (
        start_gateway(upstreams=down, breaker_failure_threshold=3, breaker_reset_seconds=60) as url,
        httpx.AsyncClient(base_url=url) as c,
    ):
        post = await c.post("/api/v1/content/x/", headers=bearer(make_token))
        post_state = (await c.get("/readyz")).json()["breakers"]["content"]
        get = await c.get("/api/v1/content/y/", headers=bearer(make_token))
        get_state = (await c.get("/readyz")).json()["breakers"]["content"]

    assert post.status_code == 503
    assert post.json()["code"] == "upstream_unavailable"
    assert post_state == {"state": "closed", "consecutive_failures": 1}
    assert get.status_code == 503
    assert get_state["state"] == "open"
