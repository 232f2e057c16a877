from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import httpx
import pytest

from tests.conftest import MAX_BODY, MakeToken, StartGateway, bearer
from tests.servers import closed_port, serve
from tests.upstreams import Hits, error_page_app, flaky_app


async def test_slow_upstream_is_a_504_upstream_timeout(
    client: httpx.AsyncClient, make_token: MakeToken
) -> None:
    started = time.monotonic()

    response = await client.get(
        "/api/v1/content/slow/",
        headers={"x-request-id": "slow-1", "authorization": f"Bearer {make_token()}"},
    )

    assert time.monotonic() - started < 3
    assert response.status_code == 504
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "upstream_timeout"
    assert problem["status"] == 504
    assert problem["instance"] == "/api/v1/content/slow/"
    assert problem["request_id"] == "slow-1"
    assert response.headers["x-request-id"] == "slow-1"


async def test_upstream_down_is_a_503_with_retry_after(
    start_gateway: StartGateway, settings_upstreams: dict[str, str], make_token: MakeToken
) -> None:
    down = {**settings_upstreams, "notifications": f"http://127.0.0.1:{closed_port()}"}

    async with start_gateway(upstreams=down) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get(
            "/api/v1/notifications/inbox/", headers={"authorization": f"Bearer {make_token()}"}
        )

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["code"] == "upstream_unavailable"


async def test_declared_body_over_the_limit_is_413_before_reaching_upstream(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/api/v1/accounts/register/", content=b"x" * (MAX_BODY + 1))

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_chunked_body_over_the_limit_is_413_while_streaming(
    client: httpx.AsyncClient,
) -> None:
    async def chunked() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"y" * (MAX_BODY // 3)

    response = await client.post("/api/v1/accounts/register/", content=chunked())

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


async def test_body_exactly_at_the_limit_passes(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/accounts/register/", content=b"z" * MAX_BODY)

    assert response.status_code == 200
    assert response.json()["body_bytes"] == MAX_BODY


async def test_upstream_speaking_garbage_is_a_502_bad_gateway(
    start_gateway: StartGateway, settings_upstreams: dict[str, str], make_token: MakeToken
) -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(garbage, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    broken = {**settings_upstreams, "accounts": f"http://127.0.0.1:{port}"}
    async with (
        server,
        start_gateway(upstreams=broken) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        response = await client.get("/api/v1/accounts/me/", headers=bearer(make_token()))

    assert response.status_code == 502
    assert response.json()["code"] == "bad_gateway"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "bad_request"),
        (404, "not_found"),
        (414, "uri_too_long"),
        (431, "request_header_fields_too_large"),
        (500, "internal_error"),
        (502, "bad_gateway"),
    ],
)
async def test_an_upstream_error_page_that_is_not_json_becomes_a_problem(
    start_gateway: StartGateway,
    settings_upstreams: dict[str, str],
    make_token: MakeToken,
    status: int,
    code: str,
) -> None:
    async with serve(error_page_app(status)) as upstream:
        upstreams = {**settings_upstreams, "content": upstream}
        async with (
            start_gateway(upstreams=upstreams, retries=0) as url,
            httpx.AsyncClient(base_url=url) as client,
        ):
            response = await client.get(
                "/api/v1/content/articles/x/",
                headers={**bearer(make_token()), "x-request-id": "html-1"},
            )

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert response.json()["request_id"] == "html-1"
    assert "<html>" not in response.text


async def test_an_upstream_json_error_is_relayed_as_it_is(
    start_gateway: StartGateway, settings_upstreams: dict[str, str], make_token: MakeToken
) -> None:
    async with serve(flaky_app(Hits())) as flaky:
        upstreams = {**settings_upstreams, "content": flaky}
        async with (
            start_gateway(upstreams=upstreams) as url,
            httpx.AsyncClient(base_url=url) as client,
        ):
            response = await client.get(
                "/api/v1/content/x/?fail=1&status=409", headers=bearer(make_token())
            )

    assert response.status_code == 409
    assert response.json() == {"hit": 1, "failed": True}


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/api/v1/schema/"])
async def test_a_wrong_method_on_the_gateways_own_paths_is_a_405_problem(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.post(path)

    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "method_not_allowed"
    assert response.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize("path", ["/ws/notifications/unknown/", "/ws/other/", "/ws/notificationsx"])
async def test_a_websocket_to_an_unknown_path_is_a_404_problem(
    gateway: str, make_token: MakeToken, path: str
) -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(
                gateway.replace("http://", "ws://") + path, headers=bearer(make_token())
            )

    assert refused.value.status == 404
