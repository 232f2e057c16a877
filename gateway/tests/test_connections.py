"""What the gateway's HTTP server does before a request reaches the edge: heads too large,
too slow or malformed are answered (problem+json) and closed early."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

from tests.conftest import StartGateway


async def exchange(url: str, *parts: bytes, pause: float = 0.0) -> tuple[bytes, float]:
    """Sends ``parts`` on one raw connection (``pause`` seconds apart) while reading what
    the server answers until it closes; returns the answer and when it was complete."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    started = time.monotonic()

    async def write() -> None:
        for part in parts:
            writer.write(part)
            await writer.drain()
            if pause:
                await asyncio.sleep(pause)

    writing = asyncio.create_task(write())
    try:
        answer = await asyncio.wait_for(reader.read(), timeout=10)
        return answer, time.monotonic() - started
    finally:
        writing.cancel()
        with contextlib.suppress(asyncio.CancelledError, ConnectionError):
            await writing
        writer.close()


def problem_of(answer: bytes) -> tuple[int, dict[str, str], dict[str, object]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.lower(): value.strip() for name, value in (line.split(":", 1) for line in header_lines)
    }
    return int(status_line.split()[1]), headers, json.loads(body)


async def test_an_oversized_header_is_431_before_it_is_all_received(
    start_gateway: StartGateway,
) -> None:
    piece = b"x" * 65536
    async with start_gateway(max_request_header_bytes=8192) as url:
        answer, _ = await exchange(
            url,
            b"GET /api/v1/content/articles/ HTTP/1.1\r\nhost: gw\r\nauthorization: Bearer ",
            # 20 MB that the server must stop reading long before the end.
            *([piece] * 320),
            b"\r\n\r\n",
        )

    status, headers, problem = problem_of(answer)
    assert status == 431
    assert headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close"
    assert problem["code"] == "request_header_fields_too_large"


async def test_an_oversized_request_line_is_414(start_gateway: StartGateway) -> None:
    async with start_gateway(max_request_header_bytes=8192) as url:
        answer, _ = await exchange(url, b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\n\r\n")

    status, _, problem = problem_of(answer)
    assert status == 414
    assert problem["code"] == "uri_too_long"


async def test_a_header_field_longer_than_the_services_accept_is_431(
    start_gateway: StartGateway,
) -> None:
    # gunicorn refuses fields above 8190 bytes with an HTML page: the edge refuses first.
    async with start_gateway(max_request_header_bytes=64 * 1024) as url:
        answer, _ = await exchange(
            url, b"GET /healthz HTTP/1.1\r\nhost: gw\r\nx-big: " + b"y" * 9000 + b"\r\n\r\n"
        )

    status, _, problem = problem_of(answer)
    assert status == 431
    assert problem["code"] == "request_header_fields_too_large"


async def test_slow_headers_are_cut_off_after_the_header_timeout(
    start_gateway: StartGateway,
) -> None:
    async with start_gateway(request_header_timeout=0.5) as url:
        # 20 slowloris connections, one byte every 0.2 s, never finishing their head.
        drip = [bytes([byte]) for byte in b"GET /healthz HTTP/1.1\r\nx-slow: " + b"z" * 100]
        results = await asyncio.gather(*(exchange(url, *drip, pause=0.2) for _ in range(20)))

    for answer, elapsed in results:
        status, _, problem = problem_of(answer)
        assert status == 408
        assert problem["code"] == "request_timeout"
        assert elapsed < 2


async def test_a_silent_connection_is_closed_after_the_header_timeout(
    start_gateway: StartGateway,
) -> None:
    async with start_gateway(request_header_timeout=0.5) as url:
        answer, elapsed = await exchange(url)

    assert elapsed < 2
    assert answer == b"" or problem_of(answer)[0] == 408


async def test_a_malformed_request_is_a_400_problem(start_gateway: StartGateway) -> None:
    async with start_gateway() as url:
        answer, _ = await exchange(url, b"GET /healthz HTTP/1.1\r\nbad header\r\n\r\n")

    status, headers, problem = problem_of(answer)
    assert status == 400
    assert headers["content-type"] == "application/problem+json"
    assert problem["code"] == "bad_request"


async def test_pipelined_requests_are_answered_whole_and_in_order(
    start_gateway: StartGateway,
) -> None:
    async with start_gateway() as url:
        answer, _ = await exchange(
            url,
            b"GET /healthz HTTP/1.1\r\nhost: gw\r\nx-request-id: first\r\n\r\n"
            b"HEAD /healthz HTTP/1.1\r\nhost: gw\r\nx-request-id: second\r\n\r\n"
            b"GET /healthz HTTP/1.1\r\nhost: gw\r\nx-request-id: third\r\n"
            b"connection: close\r\n\r\n",
        )

    answers = answer.split(b"HTTP/1.1 ")[1:]
    assert [part.split(b" ", 1)[0] for part in answers] == [b"200", b"200", b"200"]
    for part, request_id in zip(answers, (b"first", b"second", b"third"), strict=True):
        assert b"\r\nx-request-id: " + request_id + b"\r\n" in part
    assert answers[0].endswith(b'\r\n\r\n{"status":"ok"}')
    assert answers[1].endswith(b"\r\n\r\n")
    assert answers[2].endswith(b'\r\n\r\n{"status":"ok"}')
