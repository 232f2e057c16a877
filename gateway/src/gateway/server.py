"""How the gateway is served: ``python -m gateway --host 0.0.0.0 --port 8000``.

uvicorn with httptools, plus what an edge needs before a request reaches the app: the
request head is bounded in size (414/431) and in time (408), so a client can neither make
the gateway buffer megabytes of headers nor hold connections open with a trickle of
bytes; and the server's own errors are problem+json like every other answer.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any, cast

import httptools
import uvicorn
from starlette.types import ASGIApp
from uvicorn._types import ASGISendEvent
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState

from gateway import problems
from gateway.app import create_app
from gateway.config import Settings
from gateway.problems import Problem
from platform_common.problems import ProblemCode

# gunicorn's own limits (limit_request_line, limit_request_field_size): nothing the edge
# lets through is refused upstream with an HTML page.
MAX_REQUEST_LINE_BYTES = 4094
MAX_HEADER_FIELD_BYTES = 8190

# How long a refused connection's remaining bytes are read and dropped before it closes.
LINGER_SECONDS = 2.0

# The cyclic collector's first generation is collected after this many new objects, not
# Python's 700: a proxied request allocates hundreds, most freed by reference counting
# before a collection could find them, and at 700 the collector (young generations
# traversed, survivors promoted toward full collections) took about a tenth of the CPU.
GC_YOUNG_THRESHOLD = 10_000

HEAD_TOO_LARGE = Problem(
    431, ProblemCode.REQUEST_HEADER_FIELDS_TOO_LARGE, "The request headers are too large."
)
URI_TOO_LONG = Problem(414, ProblemCode.URI_TOO_LONG, "The request target is too long.")
MALFORMED = Problem(400, ProblemCode.BAD_REQUEST, "Invalid HTTP request.")
HEAD_TIMEOUT = problems.request_timeout("headers")
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class HeadWithBody:
    """The transport of one request's answer: the head is held until the body's first
    write and both leave in one write. uvicorn writes them separately: two system calls
    (and two TCP segments) per small answer, where one suffices; writes were the largest
    single cost of a proxied request.

    Anything else the answer does (closing, asking whether closing) lets the head go
    first; ``100 Continue`` is never held (the client waits for it to send its body), nor
    a HEAD answer's head (no body follows it).
    """

    __slots__ = ("_held", "_transport")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._held: bytes | None = None

    def write(self, data: bytes) -> None:
        if self._held is not None:
            data = self._held + data
            self._held = None
        elif data.startswith(b"HTTP/") and data != CONTINUE:
            self._held = data
            return
        self._transport.write(data)

    def flush(self) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            self._transport.write(held)

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        self.flush()
        return getattr(self._transport, name)


class EdgeHttpProtocol(HttpToolsProtocol):
    """httptools buffers a header until it ends, however long: the bytes of an unfinished
    head are counted here as they arrive, and the head has a deadline."""

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        assert isinstance(config, EdgeServerConfig)
        self._max_head = config.settings.max_request_header_bytes
        self._head_timeout = config.settings.request_header_timeout
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        self._in_head = True  # a connection starts by owing a request head
        self._refused = False
        self.url = b""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer = self.loop.call_later(self._head_timeout, self._head_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._head_timer is None and (self.cycle is None or self.cycle.response_complete):
            # The first bytes of the next request on a kept-alive connection.
            self._head_timer = self.loop.call_later(self._head_timeout, self._head_too_slow)
        was_in_head = self._in_head
        super().data_received(data)
        if self._in_head and not self._refused:
            # Bytes of a chunk that began before this head (a pipelined body) are counted
            # too: at worst the limit is passed by one read.
            self._head_bytes = (self._head_bytes if was_in_head else 0) + len(data)
            if self._head_bytes > self._max_head:
                self._refuse(URI_TOO_LONG if not self.headers else HEAD_TOO_LARGE)
            elif len(self.url) > MAX_REQUEST_LINE_BYTES:
                self._refuse(URI_TOO_LONG)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0

    def on_header(self, name: bytes, value: bytes) -> None:
        if len(name) + len(value) > MAX_HEADER_FIELD_BYTES:
            self._refuse(HEAD_TOO_LARGE)
            raise httptools.HttpParserCallbackError("header field too large")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._stop_head_timer()
        if len(self.url) > MAX_REQUEST_LINE_BYTES:
            self._refuse(URI_TOO_LONG)
            raise httptools.HttpParserCallbackError("request target too long")
        previous = self.cycle
        super().on_headers_complete()
        # uvicorn writes no body at all for HEAD: nothing to join the head to.
        cycle = self.cycle
        if cycle is not None and cycle is not previous and cycle.scope["method"] != "HEAD":
            cycle.transport = cast(asyncio.Transport, HeadWithBody(self.transport))

    def send_400_response(self, msg: str) -> None:
        if not self._refused:
            self._refuse(MALFORMED)

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self._in_head and not self.transport.is_closing():
            self._refuse(HEAD_TIMEOUT)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _refuse(self, problem: Problem) -> None:
        """Answer ``problem`` and close. The rest of the request is read and dropped for a
        moment (a lingering close): closing with unread bytes would reset the connection
        and the client could lose the answer."""
        self._refused = True
        self._stop_head_timer()
        # An answer under way (a pipelined request's) keeps its place before this one.
        if self.cycle is not None and isinstance(self.cycle.transport, HeadWithBody):
            self.cycle.transport.flush()
        body = problem.body(instance=None, request_id="")
        head = [
            f"HTTP/1.1 {problem.status} {HTTPStatus(problem.status).phrase}\r\n".encode(),
            b"content-type: " + problems.PROBLEM_CONTENT_TYPE + b"\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


class EdgeWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol, minus an ERROR line for every refused handshake."""

    async def send(self, message: ASGISendEvent) -> None:
        await super().send(message)
        if message["type"] == "websocket.http.response.body" and not message.get("more_body"):
            # uvicorn leaves the handshake "incomplete" after an HTTP answer and then
            # reports the app as having returned without one.
            self.handshake_complete = True


class EdgeServerConfig(uvicorn.Config):
    """uvicorn as the edge needs it: its own logging and access lines, no proxy headers, and
    WebSockets without permessage-deflate: its two zlib contexts are about 34 KB of every
    open socket's memory (52 KB per idle socket with, 18 without), for notification frames
    of a few hundred bytes that hardly compress."""

    def __init__(self, app: ASGIApp, *, settings: Settings, **options: Any) -> None:
        options.setdefault("proxy_headers", False)
        super().__init__(
            app,
            http=EdgeHttpProtocol,
            ws=EdgeWebSocketProtocol,
            ws_per_message_deflate=False,
            log_config=None,
            access_log=False,
            **options,
        )
        self.settings = settings


def tune_gc() -> None:
    """Once the app is built: what is loaded by now lives as long as the process, so the
    collector stops traversing it, and collects the young less often."""
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gateway", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--forwarded-allow-ips",
        default=None,
        help="a load balancer in front whose X-Forwarded-For names the client",
    )
    parser.add_argument(
        "--timeout-graceful-shutdown",
        type=float,
        default=None,
        help="seconds open connections (WebSockets) get to end after SIGTERM",
    )
    args = parser.parse_args(argv)
    settings = Settings.from_environ()
    app = create_app(settings)
    tune_gc()
    config = EdgeServerConfig(
        app,
        settings=settings,
        host=args.host,
        port=args.port,
        proxy_headers=args.forwarded_allow_ips is not None,
        forwarded_allow_ips=args.forwarded_allow_ips,
        timeout_graceful_shutdown=args.timeout_graceful_shutdown,
    )
    uvicorn.Server(config).run()
