"""The base of the library's middleware: one body that serves sync (WSGI) and async (ASGI)
stacks alike, without a thread hop on either."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, nullcontext
from typing import cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase

GetResponse = Callable[[HttpRequest], HttpResponseBase]
AsyncGetResponse = Callable[[HttpRequest], Awaitable[HttpResponseBase]]


class SyncAndAsyncMiddleware:
    """Subclasses override ``before_view`` (a response there answers at once),
    ``around_view`` (a context the rest of the chain runs in) and/or ``after_view``; none
    may block on I/O, since the async path calls them directly."""

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
        early = self.before_view(request)
        if early is not None:
            return early
        with self.around_view(request):
            response = cast(GetResponse, self.get_response)(request)
        return self.after_view(request, response)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        early = self.before_view(request)
        if early is not None:
            return early
        with self.around_view(request):
            response = await cast(AsyncGetResponse, self.get_response)(request)
        return self.after_view(request, response)

    def before_view(self, request: HttpRequest) -> HttpResponseBase | None:
        return None

    def around_view(self, request: HttpRequest) -> AbstractContextManager[object]:
        return nullcontext()

    def after_view(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        return response
