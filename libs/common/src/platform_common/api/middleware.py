"""Rejects oversized bodies before any view runs, whether or not the view reads the body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.decorators import sync_and_async_middleware

from platform_common.api.errors import payload_too_large

GetResponse = Callable[[HttpRequest], HttpResponseBase]
AsyncGetResponse = Callable[[HttpRequest], Awaitable[HttpResponseBase]]


def oversized_body_response(request: HttpRequest) -> HttpResponse | None:
    """A 413 problem when the declared Content-Length exceeds ``MAX_REQUEST_BODY_BYTES``."""
    limit: int | None = getattr(settings, "MAX_REQUEST_BODY_BYTES", None)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None  # Django's own parsing treats a garbage length as no body.
    if limit is not None and declared > limit:
        return payload_too_large(request)
    return None


@sync_and_async_middleware
def body_size_limit_middleware(
    get_response: GetResponse | AsyncGetResponse,
) -> Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]:
    if iscoroutinefunction(get_response):
        async_get_response = cast(AsyncGetResponse, get_response)

        async def async_middleware(request: HttpRequest) -> HttpResponseBase:
            rejected = oversized_body_response(request)
            return rejected if rejected is not None else await async_get_response(request)

        return async_middleware

    sync_get_response = cast(GetResponse, get_response)

    def middleware(request: HttpRequest) -> HttpResponseBase:
        rejected = oversized_body_response(request)
        return rejected if rejected is not None else sync_get_response(request)

    return middleware
