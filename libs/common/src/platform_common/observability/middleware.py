"""Request middleware for observability.

``RequestIdMiddleware``: ``X-Request-ID`` (accepted if sane, else minted, echoed back) and the
W3C ``traceparent`` (continued if valid, else a new trace) for logs and published events.
``metrics_middleware``: RED metrics per route template.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.decorators import sync_and_async_middleware

from platform_common.observability.logging import request_id_var
from platform_common.observability.metrics import UNMATCHED_ROUTE, observe_request
from platform_common.observability.tracecontext import child_traceparent, traceparent_var

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
    """Sets ``request.request_id`` and both context vars for the block; yields the request id."""
    request_id = choose_request_id(request.headers.get(REQUEST_ID_HEADER))
    request.request_id = request_id  # type: ignore[attr-defined]
    request_token = request_id_var.set(request_id)
    trace_token = traceparent_var.set(child_traceparent(request.headers.get("traceparent")))
    try:
        yield request_id
    finally:
        traceparent_var.reset(trace_token)
        request_id_var.reset(request_token)


class RequestIdMiddleware:
    """First in ``MIDDLEWARE`` so every later log line and problem carries the ids."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse | AsyncGetResponse) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self._acall(request)
        with correlation_context(request) as request_id:
            response = cast(GetResponse, self.get_response)(request)
        response[REQUEST_ID_HEADER] = request_id
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        with correlation_context(request) as request_id:
            response = await cast(AsyncGetResponse, self.get_response)(request)
        response[REQUEST_ID_HEADER] = request_id
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


@sync_and_async_middleware
def metrics_middleware(
    get_response: GetResponse | AsyncGetResponse,
) -> Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]:
    """First in ``MIDDLEWARE``: RED metrics per route template for every response."""
    if iscoroutinefunction(get_response):
        async_get_response = cast(AsyncGetResponse, get_response)

        async def async_middleware(request: HttpRequest) -> HttpResponseBase:
            started = time.perf_counter()
            response = await async_get_response(request)
            record_request(request, response, started)
            return response

        return async_middleware

    sync_get_response = cast(GetResponse, get_response)

    def middleware(request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = sync_get_response(request)
        record_request(request, response, started)
        return response

    return middleware
