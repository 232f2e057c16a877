"""Request middleware for observability.

``RequestIdMiddleware``: ``X-Request-ID`` (accepted if sane, else minted, echoed back) for
logs and published events. The trace context is OpenTelemetry's (its Django middleware,
placed first by ``ObservabilityConfig``).
``MetricsMiddleware``: RED metrics per route template.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from prometheus_client import Gauge

from platform_common.middleware import SyncAndAsyncMiddleware
from platform_common.observability.logging import request_id_var, user_id_var
from platform_common.observability.metrics import HTTP_IN_FLIGHT, UNMATCHED_ROUTE, observe_request

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

GetResponse = Callable[[HttpRequest], HttpResponseBase]
AsyncGetResponse = Callable[[HttpRequest], Awaitable[HttpResponseBase]]


def choose_request_id(incoming: str | None) -> str:
    """Keep the caller's id when it is a short plain token; anything else could be log injection."""
    if incoming and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


@contextmanager
def correlation_context(request: HttpRequest) -> Iterator[str]:
    """Sets ``request.request_id`` and the request's context vars for the block (the user id
    is set by authentication, once known); yields the request id."""
    request_id = choose_request_id(request.headers.get(REQUEST_ID_HEADER))
    request.request_id = request_id  # type: ignore[attr-defined]
    request_token = request_id_var.set(request_id)
    user_token = user_id_var.set(None)
    try:
        yield request_id
    finally:
        user_id_var.reset(user_token)
        request_id_var.reset(request_token)


class RequestIdMiddleware(SyncAndAsyncMiddleware):
    """First in ``MIDDLEWARE`` so every later log line and problem carries the ids."""

    def around_view(self, request: HttpRequest) -> AbstractContextManager[object]:
        return correlation_context(request)

    def after_view(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        response[REQUEST_ID_HEADER] = request.request_id  # type: ignore[attr-defined]
        return response


def record_request(request: HttpRequest, response: HttpResponseBase, started: float) -> None:
    match = request.resolver_match
    observe_request(
        service=settings.SERVICE_NAME,
        method=str(request.method),
        route="/" + match.route if match is not None else UNMATCHED_ROUTE,
        status=response.status_code,
        seconds=time.perf_counter() - started,
    )


@contextmanager
def _in_flight(gauge: Gauge) -> Iterator[None]:
    gauge.inc()
    try:
        yield
    finally:
        gauge.dec()


class MetricsMiddleware(SyncAndAsyncMiddleware):
    """First in ``MIDDLEWARE``: RED metrics per route template for every response, and the
    requests in flight (under gunicorn the live workers' counts add up)."""

    def __init__(self, get_response: GetResponse | AsyncGetResponse) -> None:
        super().__init__(get_response)
        self._in_flight = HTTP_IN_FLIGHT.labels(settings.SERVICE_NAME)

    def before_view(self, request: HttpRequest) -> HttpResponseBase | None:
        request.metrics_started = time.perf_counter()  # type: ignore[attr-defined]
        return None

    def around_view(self, request: HttpRequest) -> AbstractContextManager[object]:
        return _in_flight(self._in_flight)

    def after_view(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        record_request(request, response, request.metrics_started)  # type: ignore[attr-defined]
        return response
