from django.apps import AppConfig
from django.conf import settings

from platform_common.observability.logging import capture_warnings
from platform_common.observability.setup import setup_observability, tracing_enabled

# Probes and scrapes: a span each would drown the traces of real requests.
UNTRACED_PATHS = "healthz,readyz,metrics"
TRUSTED_PROXY_MIDDLEWARE = "platform_common.proxy.TrustedProxyMiddleware"


class ObservabilityConfig(AppConfig):
    """Traces and Sentry of every Django process (web, worker, beat, relay, commands)."""

    name = "platform_common.observability"
    label = "observability"

    def ready(self) -> None:
        # Django applied LOGGING before the apps: warnings join the JSON lines from here on.
        capture_warnings()
        setup_observability(service=settings.SERVICE_NAME)
        if not tracing_enabled():
            return
        from opentelemetry.instrumentation.celery import CeleryInstrumentor
        from opentelemetry.instrumentation.django import DjangoInstrumentor
        from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor

        # Ready runs before any request handler loads MIDDLEWARE: the tracing middleware
        # goes in near the top, so every later middleware and log line is in the span.
        DjangoInstrumentor().instrument(excluded_urls=UNTRACED_PATHS)
        _trace_after_proxy_check()
        CeleryInstrumentor().instrument()  # type: ignore[no-untyped-call]  # untyped __init__
        # Django's connections are made later, so every one is traced.
        PsycopgInstrumentor().instrument()


def _trace_after_proxy_check() -> None:
    """The instrumentation puts its middleware first; it reads the request's host and
    scheme, which Django then caches, so it must run after ``TrustedProxyMiddleware`` has
    dropped forwarded headers the gateway did not vouch for. Ours in its place never fails
    a request (``django_tracing``)."""
    from platform_common.observability.django_tracing import TRACING_MIDDLEWARE

    middleware = list(settings.MIDDLEWARE)
    middleware.pop(0)
    middleware.insert(middleware.index(TRUSTED_PROXY_MIDDLEWARE) + 1, TRACING_MIDDLEWARE)
    settings.MIDDLEWARE = middleware
