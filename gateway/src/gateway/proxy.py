"""HTTP reverse proxy: the received body goes up, the answer streams down."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Mapping

from opentelemetry import trace
from starlette.types import Scope, Send

from gateway import problems
from gateway.client import (
    IDEMPOTENT_METHODS,
    Disconnected,
    Response,
    Unreachable,
    UpstreamError,
)
from gateway.headers import RequestHead, response_headers, upstream_request_headers
from gateway.metrics import UpstreamMetrics
from gateway.pools import Upstream
from platform_common.observability.setup import tracing_recorded

# The upstream (or what stands in front of it) did not handle the request: worth a retry.
RETRY_STATUSES = frozenset({502, 503})
RETRY_BACKOFF_SECONDS = 0.05
NO_SPAN = contextlib.nullcontext()


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
        self._proxy_secret = proxy_secret.encode()
        self._retry_after = retry_after_seconds
        self._retries = max(0, retries)
        self._backoff = retry_backoff_seconds
        self._metrics = {name: UpstreamMetrics(name) for name in upstreams}
        # A client span per upstream call when spans are recorded (retries included).
        self._tracer = trace.get_tracer(__name__) if tracing_recorded() else None

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
                response.close()
        finally:
            upstream.in_flight -= 1

    async def _send(
        self, scope: Scope, upstream: Upstream, head: RequestHead, body: bytes | None
    ) -> Response:
        """The upstream's answer, after retries where they are safe."""
        method: str = scope["method"]
        target: bytes = scope["raw_path"]
        if scope["query_string"]:
            target += b"?" + scope["query_string"]
        # The body is in hand, so any idempotent request can be sent again.
        retries_left = self._retries if method in IDEMPOTENT_METHODS else 0
        breaker = upstream.breaker
        metrics = self._metrics[upstream.name]
        attempt = 0
        with self._client_span(method, upstream, target):
            headers = upstream_request_headers(scope, head=head, proxy_secret=self._proxy_secret)
            while True:
                wait = breaker.retry_after()
                if wait is not None:
                    raise problems.upstream_unavailable(upstream.name, wait)
                started = time.perf_counter()
                try:
                    response = await upstream.pool.request(method, target, headers, body)
                except (UpstreamError, TimeoutError) as error:
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
                    response.close()
                    attempt += 1
                    metrics.retries.inc()
                    await self._pause(attempt)
                    continue
                if self._tracer is not None:
                    trace.get_current_span().set_attribute("http.status_code", response.status)
                return response

    def _client_span(
        self, method: str, upstream: Upstream, target: bytes
    ) -> contextlib.AbstractContextManager[object]:
        """Current while the request is built and sent, so its traceparent names it."""
        if self._tracer is None:
            return NO_SPAN
        url = upstream.url + target.decode("latin-1")
        return self._tracer.start_as_current_span(
            method, kind=trace.SpanKind.CLIENT, attributes={"http.method": method, "http.url": url}
        )

    def _failure(self, error: Exception, upstream: Upstream) -> tuple[problems.Problem, bool]:
        """The answer for a request that got no response, and whether it never reached
        the upstream (so may be sent again); counts the upstream's failures."""
        breaker, service = upstream.breaker, upstream.name
        if isinstance(error, Unreachable):
            # Refused or unreachable: the upstream never saw the request.
            breaker.record_failure()
            return problems.upstream_unavailable(service, self._retry_after), True
        if isinstance(error, TimeoutError):
            # No answer in time: the upstream may still be working on it, so it is not
            # asked again (that would only pile up work and waiting).
            breaker.record_failure()
            return problems.upstream_timeout(service), False
        if isinstance(error, Disconnected):
            # Reset or closed without an answer after the request went out: the client
            # has already sent an idempotent one once more on a new connection (RFC 9112
            # §9.3.1); the gateway does not add more.
            breaker.record_failure()
        return problems.bad_gateway(service), False  # not HTTP: not retried

    async def _pause(self, attempt: int) -> None:
        """Exponential backoff with jitter, so retries from many requests spread out."""
        await asyncio.sleep(self._backoff * (2 ** (attempt - 1)) * random.uniform(0.5, 1.5))

    async def _relay(self, response: Response, send: Send, upstream: Upstream) -> None:
        status = response.status
        if status >= 400 and not _is_json(response.headers):
            # A server's own error page (gunicorn's 431, an HTML 404): clients get a problem.
            raise problems.upstream_error_page(status, upstream.name, response.headers)
        headers = response_headers(response.headers)
        try:
            first = await response.read()
        except TimeoutError as error:
            upstream.breaker.record_failure()
            raise problems.upstream_timeout(upstream.name) from error
        except UpstreamError as error:
            raise problems.bad_gateway(upstream.name) from error
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if response.at_eof:
            # Small answers, the common case, leave in one message.
            await send({"type": "http.response.body", "body": first})
            return
        await send({"type": "http.response.body", "body": first, "more_body": True})
        # Once the status line is out, a failing upstream can only end the connection.
        while chunk := await response.read():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


def _is_json(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name.lower() == b"content-type":
            return b"json" in value
    return False
