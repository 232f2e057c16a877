"""OpenTelemetry's Django middleware, minus one way it can fail a request."""

from __future__ import annotations

from django.http import HttpRequest
from opentelemetry.instrumentation.django.middleware.otel_middleware import _DjangoMiddleware

TRACING_MIDDLEWARE = "platform_common.observability.django_tracing.TracingMiddleware"


class TracingMiddleware(_DjangoMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        try:
            super().process_request(request)  # type: ignore[no-untyped-call]
        except UnicodeEncodeError:
            # A path no WSGI server produces (an in-process transport passing undecoded
            # text): wsgiref cannot rebuild its URL. The request goes on, untraced.
            return
