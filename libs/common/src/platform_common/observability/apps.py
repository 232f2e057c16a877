from django.apps import AppConfig
from django.conf import settings

from platform_common.observability.setup import setup_observability, tracing_enabled

# Probes and scrapes: a span each would drown the traces of real requests.
UNTRACED_PATHS = "healthz,readyz,metrics"


class ObservabilityConfig(AppConfig):
    """Traces and Sentry of every Django process (web, worker, beat, relay, commands)."""

    name = "platform_common.observability"
    label = "observability"

    def ready(self) -> None:
        setup_observability(service=settings.SERVICE_NAME)
        if not tracing_enabled():
            return
        from opentelemetry.instrumentation.celery import CeleryInstrumentor
        from opentelemetry.instrumentation.django import DjangoInstrumentor
        from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor

        # Ready runs before any request handler loads MIDDLEWARE: the tracing middleware
        # goes in first, so every later middleware and log line is inside the request span.
        DjangoInstrumentor().instrument(excluded_urls=UNTRACED_PATHS)
        CeleryInstrumentor().instrument()
        # Django's connections are made later, so every one is traced.
        PsycopgInstrumentor().instrument()
