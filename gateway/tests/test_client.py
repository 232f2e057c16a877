"""The proxied requests' HTTP/1.1 client against a scripted upstream: what it sends, how
it reads answers, when it reuses, drops or resends on a connection."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from gateway.client import ConnectionPool, Disconnected, InvalidResponse, Unreachable
from tests.servers import closed_port

# What the upstream writes back for a request head (bytes sent before the next read),
# None to close the connection without an answer.
Script = Callable[[bytes], bytes | None]


def answer(body: bytes = b"ok", *extra: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n%b\r\n%b" % (
        len(body),
        b"".join(line + b"\r\n" for line in extra),
        body,
    )


@dataclass
class ScriptedUpstream:
    script: Script
    url: str = ""
    connections: int = 0
    closed: int = 0
    # Each request as received: its head, then its body.
    requests: list[bytes] = field(default_factory=list)
    # Close each connection after its answer, without saying so in it.
    close_after_answer: bool = False

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.lower().split(b"\r\n")
                        if line.startswith(b"content-length:")
                    ),
                    0,
                )
                self.requests.append(head + await reader.readexactly(length))
                reply = self.script(head)
                if reply is None:
                    break
                writer.write(reply)
                await writer.drain()
                if self.close_after_answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.closed += 1
            writer.close()


@contextlib.asynccontextmanager
async def scripted(script: Script) -> AsyncIterator[ScriptedUpstream]:
    upstream = ScriptedUpstream(script)
    server = await asyncio.start_server(upstream.handle, "127.0.0.1", 0)
    upstream.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server:
        yield upstream


@contextlib.asynccontextmanager
async def pool_of(
    url: str, *, keepalive_seconds: float = 5.0, read_timeout: float = 1.0
) -> AsyncIterator[ConnectionPool]:
    pool = ConnectionPool(
        url, keepalive_seconds=keepalive_seconds, connect_timeout=1.0, read_timeout=read_timeout
    )
    try:
        yield pool
    finally:
        await pool.close()


async def body_of(pool: ConnectionPool, method: str = "GET", body: bytes | None = None) -> bytes:
    response = await pool.request(method, b"/x/?q=1", [(b"x-test", b"1")], body)
    chunks = []
    while chunk := await response.read():
        chunks.append(chunk)
    return b"".join(chunks)


async def test_requests_are_sent_whole_and_reuse_one_connection() -> None:
    async with scripted(lambda head: answer(b"hello")) as upstream, pool_of(upstream.url) as pool:
        got = [await body_of(pool), await body_of(pool, "POST"), await body_of(pool, "PUT", b"{}")]

    assert got == [b"hello"] * 3
    assert upstream.connections == 1
    host = upstream.url.removeprefix("http://").encode()
    assert upstream.requests == [
        b"GET /x/?q=1 HTTP/1.1\r\nhost: " + host + b"\r\nx-test: 1\r\n\r\n",
        # A method that may carry a body says it has none.
        b"POST /x/?q=1 HTTP/1.1\r\nhost: " + host + b"\r\nx-test: 1\r\ncontent-length: 0\r\n\r\n",
        b"PUT /x/?q=1 HTTP/1.1\r\nhost: " + host + b"\r\nx-test: 1\r\ncontent-length: 2\r\n\r\n{}",
    ]


async def test_the_upstream_urls_path_prefixes_the_target() -> None:
    async with (
        scripted(lambda head: answer()) as upstream,
        pool_of(upstream.url + "/base/") as pool,
    ):
        await body_of(pool)

    assert upstream.requests[0].startswith(b"GET /base/x/?q=1 HTTP/1.1\r\n")


async def test_a_head_answer_has_no_body_whatever_its_length_and_the_connection_goes_on() -> None:
    def script(head: bytes) -> bytes:
        if head.startswith(b"HEAD"):
            return b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n"
        return answer(b"after")

    async with scripted(script) as upstream, pool_of(upstream.url) as pool:
        response = await pool.request("HEAD", b"/", [], None)
        head_body = await response.read()
        after = await body_of(pool)

    assert (response.status, head_body, response.at_eof) == (200, b"", True)
    assert (b"content-length", b"5") in response.headers
    assert after == b"after"
    assert upstream.connections == 1


async def test_informational_answers_are_skipped() -> None:
    async with (
        scripted(lambda head: b"HTTP/1.1 100 Continue\r\n\r\n" + answer(b"final", b"x-a: 1")) as up,
        pool_of(up.url) as pool,
    ):
        response = await pool.request("POST", b"/", [], b"data")
        body = await response.read()

    assert (response.status, response.headers, body) == (
        200,
        [(b"content-length", b"5"), (b"x-a", b"1")],
        b"final",
    )


async def test_a_chunked_answer_is_read_whole_and_the_connection_reused() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    )
    async with scripted(lambda head: chunked) as upstream, pool_of(upstream.url) as pool:
        got = [await body_of(pool), await body_of(pool)]

    assert got == [b"hello world"] * 2
    assert upstream.connections == 1


async def test_an_answer_to_close_is_not_reused() -> None:
    async with (
        scripted(lambda head: answer(b"bye", b"connection: close")) as upstream,
        pool_of(upstream.url) as pool,
    ):
        got = [await body_of(pool), await body_of(pool)]

    assert got == [b"bye"] * 2
    assert upstream.connections == 2


async def test_an_answer_without_length_or_chunks_ends_with_its_connection() -> None:
    until_closed = b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nall of it"
    async with scripted(lambda head: until_closed) as upstream, pool_of(upstream.url) as pool:
        upstream.close_after_answer = True
        got = await body_of(pool)

    assert got == b"all of it"


async def test_idle_connections_are_closed_after_the_keepalive() -> None:
    async with (
        scripted(lambda head: answer()) as upstream,
        pool_of(upstream.url, keepalive_seconds=0.2) as pool,
    ):
        await body_of(pool)
        await asyncio.sleep(0.5)
        closed_while_idle = upstream.closed
        await body_of(pool)

    assert closed_while_idle == 1
    assert upstream.connections == 2


async def test_a_connection_the_upstream_closed_while_idle_is_not_used_again() -> None:
    async with scripted(lambda head: answer(b"first")) as upstream, pool_of(upstream.url) as pool:
        upstream.close_after_answer = True
        await body_of(pool)
        await asyncio.sleep(0.1)  # the upstream's keep-alive ended
        upstream.close_after_answer = False
        # Not idempotent, so not sent again: it must go on a connection that is open.
        after = await body_of(pool, "POST")

    assert after == b"first"
    assert upstream.connections == 2


async def test_an_idempotent_request_is_sent_once_more_when_the_connection_breaks() -> None:
    async with scripted(lambda head: None) as upstream, pool_of(upstream.url) as pool:
        with pytest.raises(Disconnected):
            await body_of(pool, "GET")
        after_get = len(upstream.requests)
        with pytest.raises(Disconnected):
            await body_of(pool, "POST", b"{}")

    assert after_get == 2
    assert len(upstream.requests) - after_get == 1


async def test_the_upstreams_name_is_looked_up_once_for_many_connections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop = asyncio.get_running_loop()
    lookups: list[str | None] = []

    async def getaddrinfo(host: str | None, *args: Any, **kwargs: Any) -> Any:
        lookups.append(host)
        return await original(host, *args, **kwargs)

    original = loop.getaddrinfo
    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    async with (
        scripted(lambda head: answer(b"one", b"connection: close")) as upstream,
        pool_of(upstream.url.replace("127.0.0.1", "localhost")) as pool,
    ):
        got = [await body_of(pool) for _ in range(3)]

    assert got == [b"one"] * 3
    assert upstream.connections == 3
    assert lookups == ["localhost"]


async def test_an_unreachable_upstream_is_unreachable() -> None:
    async with pool_of(f"http://127.0.0.1:{closed_port()}") as pool:
        with pytest.raises(Unreachable):
            await body_of(pool)


async def test_garbage_is_an_invalid_response() -> None:
    async with (
        scripted(lambda head: b"NOT HTTP AT ALL\r\n\r\n") as upstream,
        pool_of(upstream.url) as pool,
    ):
        with pytest.raises(InvalidResponse):
            await body_of(pool)


async def test_no_bytes_within_the_read_timeout_is_a_timeout_head_or_body() -> None:
    half = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhalf"
    async with (
        scripted(lambda head: b"" if head.startswith(b"GET /silent") else half) as upstream,
        pool_of(upstream.url, read_timeout=0.2) as pool,
    ):
        with pytest.raises(TimeoutError):
            await pool.request("GET", b"/silent", [], None)
        response = await pool.request("GET", b"/half", [], None)
        first = await response.read()
        with pytest.raises(TimeoutError):
            await response.read()

    assert first == b"half"


async def test_a_large_body_read_slowly_arrives_whole_without_a_read_timeout() -> None:
    # Far more than the buffer: the upstream is not read while the reader lags (no bytes
    # arrive meanwhile, and that is not the upstream's delay).
    body = bytes(range(256)) * 4096  # 1 MiB
    async with (
        scripted(lambda head: answer(body)) as upstream,
        pool_of(upstream.url, read_timeout=0.2) as pool,
    ):
        response = await pool.request("GET", b"/", [], None)
        chunks = []
        while chunk := await response.read():
            chunks.append(chunk)
            if len(chunks) < 3:
                await asyncio.sleep(0.3)
        reused = await body_of(pool)

    assert b"".join(chunks) == body
    assert max(len(chunk) for chunk in chunks) < len(body)
    assert reused == body
    assert upstream.connections == 1


async def test_an_answer_left_unread_closes_its_connection() -> None:
    body = b"x" * 1_000_000
    async with scripted(lambda head: answer(body)) as upstream, pool_of(upstream.url) as pool:
        response = await pool.request("GET", b"/", [], None)
        await response.read()
        response.close()
        assert await body_of(pool) == body

    assert upstream.connections == 2


RECORDED_SPANS = """
import asyncio, json
import httpx
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from platform_common.observability.setup import setup_observability

exporter = InMemorySpanExporter()
setup_observability(service="gateway", environ={}, span_processor=SimpleSpanProcessor(exporter))

from gateway.config import Settings
from tests.conftest import REDIS_CLUSTER_URL
from tests.servers import serve, serve_gateway
from tests.upstreams import Gate, echo_app


async def main() -> None:
    async with serve(echo_app(Gate())) as echo:
        settings = Settings(
            upstreams={"accounts": echo, "content": echo, "notifications": echo},
            redis_cluster_url=REDIS_CLUSTER_URL,
            jwt_issuer="issuer",
            jwt_audience="audience",
            jwks_url=echo + "/jwks/",
            proxy_secret="secret",
            access_log=False,
        )
        async with serve_gateway(settings) as url, httpx.AsyncClient(base_url=url) as client:
            response = await client.get("/api/v1/content/articles/")
    sent = dict(response.json()["headers"])["traceparent"]
    spans = [
        [span.name, span.kind.name, f"{span.context.span_id:016x}",
         f"{span.parent.span_id:016x}" if span.parent else None]
        for span in exporter.get_finished_spans()
    ]
    print(json.dumps({"traceparent": sent, "spans": spans}))


asyncio.run(main())
"""


async def test_with_spans_recorded_each_upstream_call_is_a_client_span_the_upstream_continues() -> (
    None
):
    # Tracing is set up once per process: recorded spans need a process of their own.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        RECORDED_SPANS,
        cwd=Path(__file__).parent.parent,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0
    seen = json.loads(out.splitlines()[-1])
    spans = {span_id: (name, kind, parent) for name, kind, span_id, parent in seen["spans"]}
    # Redis calls are client spans too: the upstream call is the GET.
    (client,) = [id for id, (name, kind, _) in spans.items() if (name, kind) == ("GET", "CLIENT")]
    parent = spans[client][2]

    assert spans[parent][1] == "SERVER"
    assert seen["traceparent"].split("-")[2] == client
