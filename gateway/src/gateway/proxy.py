"""HTTP reverse proxy on one pooled aiohttp session: bodies stream both ways."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Mapping

import aiohttp
from starlette.types import Receive, Scope, Send
from yarl import URL

from gateway import problems
from gateway.breaker import CircuitBreaker
from gateway.headers import response_headers, upstream_request_headers

STREAM_CHUNK_BYTES = 64 * 1024
# Safe to send twice (RFC 9110 §9.2.2); POST and PATCH never are.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# The upstream (or what stands in front of it) did not handle the request: worth a retry.
RETRY_STATUSES = frozenset({502, 503})
RETRY_BACKOFF_SECONDS = 0.05


def create_session(
    *, pool_size: int, keepalive_seconds: float, connect_timeout: float, read_timeout: float
) -> aiohttp.ClientSession:
    """One keep-alive pool per process, measured several times faster than httpx here.

    Idle connections are dropped before the upstream's own keep-alive ends (gunicorn: 2 s),
    so a request is not sent on a connection the upstream is closing; aiohttp retries
    idempotent requests once on such a connection anyway.
    """
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(
            limit=pool_size, keepalive_timeout=keepalive_seconds, ttl_dns_cache=60
        ),
        timeout=aiohttp.ClientTimeout(total=None, connect=connect_timeout, sock_read=read_timeout),
        # Bytes pass through untouched: no decompression, no headers the client did not send.
        auto_decompress=False,
        skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent", "Content-Type"),
        cookie_jar=aiohttp.DummyCookieJar(),
    )


class RequestBody:
    """The client's body as an async stream, cut off once it passes ``limit`` bytes."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive = receive
        self._limit = limit
        self.too_large = False
        self.client_gone = False

    async def chunks(self) -> AsyncIterator[bytes]:
        received = 0
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self.client_gone = True
                raise ConnectionAbortedError("client went away while sending the body")
            chunk: bytes = message.get("body", b"")
            received += len(chunk)
            if received > self._limit:
                self.too_large = True
                raise ValueError("request body too large")
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return


class HttpProxy:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        upstreams: Mapping[str, str],
        *,
        max_body_bytes: int,
        retry_after_seconds: int,
        breakers: Mapping[str, CircuitBreaker],
        retries: int = 2,
        retry_backoff_seconds: float = RETRY_BACKOFF_SECONDS,
    ) -> None:
        self._session = session
        self._upstreams = upstreams
        self._max_body = max_body_bytes
        self._retry_after = retry_after_seconds
        self._breakers = breakers
        self._retries = max(0, retries)
        self._backoff = retry_backoff_seconds

    async def forward(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        service: str,
        request_id: bytes,
        traceparent: str,
    ) -> None:
        """Send the request to ``service`` and stream its answer; raise Problem before that."""
        headers = upstream_request_headers(scope, request_id=request_id, traceparent=traceparent)
        body = self._request_body(scope, receive, headers)
        url = self._upstreams[service] + scope["raw_path"].decode("latin-1")
        if scope["query_string"]:
            url += "?" + scope["query_string"].decode("latin-1")
        breaker = self._breakers[service]
        # A body cannot be replayed once (part of) it has streamed upstream: only
        # body-less idempotent requests are retried.
        retries_left = (
            self._retries if body is None and scope["method"] in IDEMPOTENT_METHODS else 0
        )
        attempt = 0
        while True:
            wait = breaker.retry_after()
            if wait is not None:
                raise problems.upstream_unavailable(service, wait)
            try:
                response = await self._session.request(
                    scope["method"],
                    URL(url, encoded=True),
                    headers=headers,
                    data=body.chunks() if body is not None else None,
                    allow_redirects=False,
                )
            except (aiohttp.ClientError, TimeoutError) as error:
                problem, never_sent = self._failure(error, body, service, breaker)
                if never_sent and attempt < retries_left:
                    attempt += 1
                    await self._pause(attempt)
                    continue
                raise problem from error
            breaker.record_success()
            if response.status in RETRY_STATUSES and attempt < retries_left:
                response.release()
                attempt += 1
                await self._pause(attempt)
                continue
            break
        try:
            await self._relay(response, send, service, breaker)
        finally:
            response.release()

    def _failure(
        self,
        error: Exception,
        body: RequestBody | None,
        service: str,
        breaker: CircuitBreaker,
    ) -> tuple[problems.Problem, bool]:
        """The answer for a request that got no response, and whether it never reached
        the upstream (so may be sent again); counts the upstream's failures."""
        if body is not None and body.too_large:
            return problems.payload_too_large(self._max_body), False
        if body is not None and body.client_gone:
            return problems.bad_gateway(service), False  # the client's doing
        if isinstance(error, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError):
            # Refused or unreachable: the upstream never saw the request.
            breaker.record_failure()
            return problems.upstream_unavailable(service, self._retry_after), True
        if isinstance(error, TimeoutError):
            # No answer in time: the upstream may still be working on it, so it is not
            # asked again (that would only pile up work and waiting).
            breaker.record_failure()
            return problems.upstream_timeout(service), False
        if isinstance(error, aiohttp.ClientConnectionError):
            # Reset or closed without an answer after the request went out: aiohttp has
            # already sent an idempotent one once more on a new connection (RFC 9112
            # §9.3.1); the gateway does not add more.
            breaker.record_failure()
        return problems.bad_gateway(service), False  # not HTTP: not retried

    async def _pause(self, attempt: int) -> None:
        """Exponential backoff with jitter, so retries from many requests spread out."""
        await asyncio.sleep(self._backoff * (2 ** (attempt - 1)) * random.uniform(0.5, 1.5))

    def _request_body(
        self, scope: Scope, receive: Receive, headers: list[tuple[str, str]]
    ) -> RequestBody | None:
        content_length: int | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                # The server (httptools/h11) has already rejected a malformed length.
                content_length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
        if content_length is not None and content_length > self._max_body:
            raise problems.payload_too_large(self._max_body)
        if chunked:
            return RequestBody(receive, self._max_body)
        if not content_length:
            return None
        # A known length is forwarded as is, so the upstream gets no chunked framing.
        headers.append(("content-length", str(content_length)))
        return RequestBody(receive, self._max_body)

    async def _relay(
        self,
        response: aiohttp.ClientResponse,
        send: Send,
        service: str,
        breaker: CircuitBreaker,
    ) -> None:
        headers = response_headers(response.raw_headers)
        try:
            first = await response.content.read(STREAM_CHUNK_BYTES)
        except TimeoutError as error:
            breaker.record_failure()
            raise problems.upstream_timeout(service) from error
        except aiohttp.ClientError as error:
            raise problems.bad_gateway(service) from error
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        if response.content.at_eof():
            # Small answers, the common case, leave in one message.
            await send({"type": "http.response.body", "body": first})
            return
        await send({"type": "http.response.body", "body": first, "more_body": True})
        # Once the status line is out, a failing upstream can only end the connection.
        async for chunk in response.content.iter_chunked(STREAM_CHUNK_BYTES):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
