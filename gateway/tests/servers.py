"""Real servers for the tests: any ASGI app under uvicorn on a random loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import uvicorn
from starlette.types import ASGIApp

from gateway.app import create_app
from gateway.config import Settings
from gateway.server import EdgeServerConfig
from platform_common.testing.http import serving


def serve(app: ASGIApp) -> contextlib.AbstractAsyncContextManager[str]:
    """Run ``app`` until the block ends; yields its base URL (``http://127.0.0.1:<port>``)."""
    return _serve(uvicorn.Config(app, log_config=None, access_log=False, proxy_headers=False))


def serve_gateway(settings: Settings) -> contextlib.AbstractAsyncContextManager[str]:
    """The gateway served as in production (``python -m gateway``)."""
    return _serve(EdgeServerConfig(create_app(settings), settings=settings))


@contextlib.asynccontextmanager
async def _serve(config: uvicorn.Config) -> AsyncIterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.005)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RawUpstream:
    """A bare TCP upstream: reads each request head, then drops the connection without
    an answer (``broken``) or answers 200 ``ok``; counts the requests it read."""

    def __init__(self) -> None:
        self.broken = True
        self.requests = 0
        self.url = ""

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return
        self.requests += 1
        if not self.broken:
            writer.write(
                b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n"
                b"connection: close\r\n\r\nok"
            )
            await writer.drain()
        writer.close()


@contextlib.asynccontextmanager
async def raw_upstream() -> AsyncIterator[RawUpstream]:
    upstream = RawUpstream()
    server = await asyncio.start_server(upstream._handle, "127.0.0.1", 0)
    upstream.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server:
        yield upstream


@dataclass(frozen=True)
class WsgiRequest:
    method: str
    path: str
    content_length: str | None
    body: bytes


class WsgiUpstream:
    """A WSGI app served by a WSGI server, reading bodies as Django does: by CONTENT_LENGTH
    only (a chunked body without a length reads as empty). Records what it received."""

    def __init__(self) -> None:
        self.received: list[WsgiRequest] = []
        self.url = ""

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., object]
    ) -> Iterable[bytes]:
        length = environ.get("CONTENT_LENGTH") or None
        body = environ["wsgi.input"].read(int(length)) if length else b""
        self.received.append(
            WsgiRequest(environ["REQUEST_METHOD"], environ["PATH_INFO"], length, body)
        )
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"ok": true}']


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Test output is not the place for access logs."""


@contextlib.asynccontextmanager
async def wsgi_upstream() -> AsyncIterator[WsgiUpstream]:
    upstream = WsgiUpstream()
    server = make_server(
        "127.0.0.1", 0, upstream, server_class=ThreadingWSGIServer, handler_class=_QuietHandler
    )
    upstream.url = f"http://127.0.0.1:{server.server_port}"
    with serving(server):
        yield upstream


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
