"""Spans of the event path, so one trace runs from a request to every handler of its events.

``publish()`` opens a producer span and writes its W3C ``traceparent`` into the envelope;
the relay sends each event in a span continuing that one and puts its own context in the
message headers, where the Celery instrumentation picks it up for the task's span; each
handler runs in a span of its own below it. Without an SDK (``OTEL_SDK_DISABLED``) these
are OpenTelemetry's no-op spans and the traceparent is empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import context, propagate, trace

_tracer = trace.get_tracer("platform_common.events")
TRACEPARENT = "traceparent"


def current_traceparent() -> str:
    """The W3C ``traceparent`` of the current span; empty when there is none."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get(TRACEPARENT, "")


def _context_of(traceparent: str) -> context.Context | None:
    return propagate.extract({TRACEPARENT: traceparent}) if traceparent else None


@contextmanager
def producer_span(name: str, *, event_type: str, parent: str | None = None) -> Iterator[str]:
    """A producer span below ``parent`` (a traceparent) or the current span; yields the
    traceparent that continues it."""
    with _tracer.start_as_current_span(
        name,
        context=_context_of(parent) if parent is not None else None,
        kind=trace.SpanKind.PRODUCER,
        attributes={"messaging.system": "rabbitmq", "messaging.event.type": event_type},
    ):
        yield current_traceparent()


@contextmanager
def handler_span(*, event_type: str, handler: str, traceparent: str) -> Iterator[None]:
    """The span of one handler applying one event: below the current span (the worker's
    task), or below the envelope's when the delivery brought no trace context."""
    parent = None
    if not trace.get_current_span().get_span_context().is_valid:
        parent = _context_of(traceparent)
    with _tracer.start_as_current_span(
        f"{event_type} process",
        context=parent,
        kind=trace.SpanKind.CONSUMER,
        attributes={"messaging.event.type": event_type, "messaging.handler": handler},
    ):
        yield


@contextmanager
def delivery_span(name: str, *, traceparent: str) -> Iterator[None]:
    """The span of one delivery taken by the worker, below the sender's (``traceparent`` of
    the message headers): the event's handlers run in spans below it."""
    with _tracer.start_as_current_span(
        name, context=_context_of(traceparent), kind=trace.SpanKind.CONSUMER
    ):
        yield
