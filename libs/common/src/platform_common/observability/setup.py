"""Traces and error reports of every process, configured once from the environment.

Every process calls ``setup_observability`` once before it serves anything (the Django
processes from ``ObservabilityConfig.ready``, the gateway from ``create_app``).

Tracing (OpenTelemetry), three modes:

- ``OTEL_SDK_DISABLED=true``: nothing at all; logs and events carry no trace ids.
- no ``OTEL_EXPORTER_OTLP_ENDPOINT`` (the default): every span is sampled out, so the SDK
  records and processes nothing, yet trace and span ids are minted and propagated (HTTP
  headers, event envelopes, log lines).
- an endpoint: spans are sampled (``OTEL_TRACES_SAMPLER``, default parent-based always
  on) and exported in batches over OTLP/HTTP.

Sentry: only when ``SENTRY_DSN`` is set; no personal data, every event scrubbed like a log
line (``scrub_event``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

from platform_common.observability.logging import REDACTED, mask_emails, redact

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint

# What is off costs nothing, not even its imports (Sentry's ASGI support alone imports
# Django): each library is imported where it is turned on.

ASGIApp = Any  # a plain ASGI callable; Starlette and Channels each type it their own way

# Spans for each ASGI receive/send message would triple the spans of a request.
_EXCLUDED_ASGI_SPANS: list[Any] = ["receive", "send"]
_JWT = re.compile(r"eyJ[\w-]*\.[\w-]+\.[\w-]*")
_TRUE = ("1", "true", "yes", "on")


class _State:
    configured = False
    tracing = False
    recording = False
    sentry = False


def setup_observability(
    *,
    service: str,
    environ: Mapping[str, str] | None = None,
    span_processor: SpanProcessor | None = None,
) -> None:
    """Configure tracing and Sentry for this process; the first call wins.

    ``span_processor`` replaces the OTLP export (tests pass an in-memory exporter's).
    """
    if _State.configured:
        return
    _State.configured = True
    env = os.environ if environ is None else environ
    _State.sentry = _init_sentry(service, env)
    _State.tracing = _init_tracing(service, env, span_processor)
    if _State.tracing:
        from opentelemetry.instrumentation.redis import RedisInstrumentor

        RedisInstrumentor().instrument()


def tracing_enabled() -> bool:
    """Whether OpenTelemetry is on in this process (instrument the libraries then)."""
    return _State.tracing


def tracing_recorded() -> bool:
    """Whether spans are recorded (exported, or kept by a test's processor); in the
    default ids-only mode none is, only ids are minted and propagated."""
    return _State.recording


def observed_asgi(app: ASGIApp, *, server_spans: bool = True) -> ASGIApp:
    """``app`` with a server span per request or WebSocket (unless ``server_spans`` is
    False: the app mints its trace ids itself), and Sentry's error capture."""
    if _State.tracing and server_spans:
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

        app = OpenTelemetryMiddleware(app, exclude_spans=_EXCLUDED_ASGI_SPANS)
    if _State.sentry:
        from sentry_sdk.integrations.asgi import SentryAsgiMiddleware

        app = SentryAsgiMiddleware(app)
    return app


def _init_tracing(
    service: str, env: Mapping[str, str], span_processor: SpanProcessor | None
) -> bool:
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() in _TRUE:
        return False
    resource = Resource.create({"service.name": service})
    if span_processor is None:
        span_processor = _otlp_processor(env)
    if span_processor is None:
        # Ids without recording: no span reaches a processor, nothing is exported.
        provider = TracerProvider(resource=resource, sampler=ALWAYS_OFF)
    else:
        provider = TracerProvider(resource=resource)
        provider.add_span_processor(span_processor)
        _State.recording = True
    trace.set_tracer_provider(provider)
    return True


def _otlp_processor(env: Mapping[str, str]) -> SpanProcessor | None:
    base = env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
    if not base:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # The collector's base URL, as the OTLP exporters read it: traces go to /v1/traces.
    return BatchSpanProcessor(OTLPSpanExporter(endpoint=base.rstrip("/") + "/v1/traces"))


def _init_sentry(service: str, env: Mapping[str, str]) -> bool:
    dsn = env.get("SENTRY_DSN", "").strip()
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=env.get("SENTRY_ENVIRONMENT") or "production",
        release=env.get("SENTRY_RELEASE") or None,
        server_name=service,
        traces_sample_rate=float(env.get("SENTRY_TRACES_SAMPLE_RATE") or 0.0),
        profiles_sample_rate=float(env.get("SENTRY_PROFILES_SAMPLE_RATE") or 0.0),
        send_default_pii=False,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
    )
    sentry_sdk.set_tag("service", service)
    return True


def scrub_event(event: Event, hint: Hint) -> Event:
    """A Sentry event without secrets: the log redaction (secret-named keys), then JWTs
    and full emails wherever they appear in a value (messages, frames' variables)."""
    scrubbed: Event = _scrub(redact(dict(event)))
    return scrubbed


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return mask_emails(_JWT.sub(REDACTED, value))
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value
