"""HTTP reverse proxy: the received body goes up, the answer streams down."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Mapping

import aiohttp
from starlette.types import Scope, Send
from yarl import URL

from gateway import problems
from gateway.headers import RequestHead, response_headers, upstream_request_headers
from gateway.metrics import UpstreamMetrics
from gateway.pools import Upstream

STREAM_CHUNK_BYTES = 64 * 1024
# Safe to send twice (RFC 9110 §9.2.2); POST and PATCH never are.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# The upstream (or what stands in front of it) did not handle the request: worth a retry.
RETRY_STATUSES = frozenset({502, 503})
RETRY_BACKOFF_SECONDS = 0.05


class HttpProxy:
    def __init__(
        self,
        upstreams: Mapping[str, Upstream],
        *,
        proxy_secret: str,
        retry_after_seconds: int,
        retries: int = 2,
        retry_backoff_seconds: float = RETRY_BACKOFF_SECONDS,
    ) -> None:
        self._upstreams = upstreams
        self._proxy_secret = proxy_secret
        self._retry_after = retry_after_seconds
        self._retries = max(0, retries)
        self._backoff = retry_backoff_seconds
        self._metrics = {name: UpstreamMetrics(name) for name in upstreams}

    async def forward(
        self, scope: Scope, send: Send, *, service: str, head: RequestHead, body: bytes | None
    ) -> None:
        """Send the request to ``service`` and stream its answer; raise Problem before that."""
        upstream = self._upstreams[service]
        if upstream.in_flight >= upstream.limit:
            raise problems.upstream_busy(service)
        upstream.in_flight += 1
        try:
            response = await self._send(scope, upstream, head, body)
            try:
                await self._relay(response, send, upstream)
            finally:
                response.release()
        finally:
            upstream.in_flight -= 1

    async def _send(
        self, scope: Scope, upstream: Upstream, head: RequestHead, body: bytes | None
    ) -> aiohttp.ClientResponse:
        """The upstream's answer, after retries where they are safe."""
        url = upstream.url + scope["raw_path"].decode("latin-1")
        if scope["query_string"]:
            url += "?" + scope["query_string"].decode("latin-1")
        headers = upstream_request_headers(scope, head=head, proxy_secret=self._proxy_secret)
        # The body is in hand, so any idempotent request can be sent again.
        retries_left = self._retries if scope["method"] in IDEMPOTENT_METHODS else 0
        breaker = upstream.breaker
        metrics = self._metrics[upstream.name]
        attempt = 0
        while True:
            wait = breaker.retry_after()
            if wait is not None:
                raise problems.upstream_unavailable(upstream.name, wait)
            started = time.perf_counter()
            try:
                response = await upstream.session.request(
                    scope["method"],
                    URL(url, encoded=True),
                    headers=headers,
                    data=body,
                    allow_redirects=False,
                )
            except (aiohttp.ClientError, TimeoutError) as error:
                metrics.seconds.observe(time.perf_counter() - started)
                problem, never_sent = self._failure(error, upstream)
                if never_sent and attempt < retries_left:
                    attempt += 1
                    metrics.retries.inc()
                    await self._pause(attempt)
                    continue
                raise problem from error
            metrics.seconds.observe(time.perf_counter() - started)
            breaker.record_success()
            if response.status in RETRY_STATUSES and attempt < retries_left:
                response.release()
                attempt += 1
                metrics.retries.inc()
                await self._pause(attempt)
                continue
            return response

    def _failure(self, error: Exception, upstream: Upstream) -> tuple[problems.Problem, bool]:
        """The answer for a request that got no response, and whether it never reached
        the upstream (so may be sent again); counts the upstream's failures."""
        breaker, service = upstream.breaker, upstream.name
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

    async def _relay(
        self, response: aiohttp.ClientResponse, send: Send, upstream: Upstream
    ) -> None:
        status = response.status
        if status >= 400 and "json" not in response.headers.get("content-type", ""):
            # A server's own error page (gunicorn's 431, an HTML 404): clients get a problem.
            raise problems.upstream_error_page(status, upstream.name, response.raw_headers)
        headers = response_headers(response.raw_headers)
        try:
            first = await response.content.read(STREAM_CHUNK_BYTES)
        except TimeoutError as error:
            upstream.breaker.record_failure()
            raise problems.upstream_timeout(upstream.name) from error
        except aiohttp.ClientError as error:
            raise problems.bad_gateway(upstream.name) from error
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if response.content.at_eof():
            # Small answers, the common case, leave in one message.
            await send({"type": "http.response.body", "body": first})
            return
        await send({"type": "http.response.body", "body": first, "more_body": True})
        # Once the status line is out, a failing upstream can only end the connection.
        async for chunk in response.content.iter_chunked(STREAM_CHUNK_BYTES):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
