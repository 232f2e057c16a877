"""Request bodies are received whole, within a deadline, before any upstream is asked."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx

from tests.conftest import MAX_BODY, MakeToken, StartGateway, bearer
from tests.servers import raw_upstream, wsgi_upstream
from tests.test_connections import exchange, problem_of


async def test_a_body_that_does_not_arrive_in_time_is_408_and_never_reaches_the_upstream(
    start_gateway: StartGateway, settings_upstreams: dict[str, str]
) -> None:
    async with raw_upstream() as upstream:
        upstreams = {**settings_upstreams, "accounts": upstream.url}
        async with start_gateway(upstreams=upstreams, request_body_timeout=0.5) as url:
            # Anonymous, one byte at a time: the slow client ties up nothing upstream.
            head = (
                b"POST /api/v1/accounts/register/ HTTP/1.1\r\nhost: gw\r\n"
                b"content-type: application/json\r\ncontent-length: 50\r\n\r\n"
            )
            answers = await asyncio.gather(
                *(exchange(url, head, *(b"{" for _ in range(10)), pause=0.2) for _ in range(8))
            )

    for answer, elapsed in answers:
        status, _, problem = problem_of(answer)
        assert status == 408
        assert problem["code"] == "request_timeout"
        assert elapsed < 1.5
    assert upstream.requests == 0


async def test_a_chunked_body_reaches_a_wsgi_upstream_whole_with_its_length(
    start_gateway: StartGateway, settings_upstreams: dict[str, str], make_token: MakeToken
) -> None:
    parts = [b'{"display_name": ', b'"chunked"', b"}"]

    async def chunked() -> AsyncIterator[bytes]:
        for part in parts:
            yield part

    async with wsgi_upstream() as upstream:
        upstreams = {**settings_upstreams, "accounts": upstream.url}
        async with start_gateway(upstreams=upstreams) as url, httpx.AsyncClient() as client:
            response = await client.patch(
                f"{url}/api/v1/accounts/me/", content=chunked(), headers=bearer(make_token())
            )

    assert response.status_code == 200
    (received,) = upstream.received
    assert received.content_length == str(len(b"".join(parts)))
    assert json.loads(received.body) == {"display_name": "chunked"}


async def test_a_chunked_body_over_the_limit_is_413_and_never_reaches_the_upstream(
    start_gateway: StartGateway, settings_upstreams: dict[str, str]
) -> None:
    async def chunked() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"y" * (MAX_BODY // 3)

    async with raw_upstream() as upstream:
        upstreams = {**settings_upstreams, "accounts": upstream.url}
        async with start_gateway(upstreams=upstreams) as url, httpx.AsyncClient() as client:
            response = await client.post(f"{url}/api/v1/accounts/register/", content=chunked())

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert upstream.requests == 0
