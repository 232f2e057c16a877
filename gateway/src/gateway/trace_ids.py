"""Trace ids at the edge in tracing's ids-only mode (the default: no span is recorded).

Each request gets a span context that continues the caller's ``traceparent`` or starts a
trace. It is current while the edge handles the request, so the edge's log lines carry
its ids, and it goes upstream as the ``traceparent`` the service continues
(``headers.upstream_request_headers``). That is all OpenTelemetry's ASGI and aiohttp
instrumentation produced in this mode, without building the spans nothing records.
"""

from __future__ import annotations

import random
import re
from contextvars import Token

from opentelemetry import context as otel_context
from opentelemetry import trace

# W3C Trace Context: version-trace id-parent id-flags; a later version may add fields.
_TRACEPARENT = re.compile(rb"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
_INVALID_VERSION = b"ff"


def enter_trace(traceparent: bytes | None) -> Token[otel_context.Context]:
    """Make the request's span context current; returns the token ``leave_trace`` takes."""
    span = trace.NonRecordingSpan(
        trace.SpanContext(
            trace_id=_continued_trace(traceparent) or _random_id(128),
            span_id=_random_id(64),
            is_remote=False,
        )
    )
    return otel_context.attach(trace.set_span_in_context(span))


def leave_trace(token: Token[otel_context.Context]) -> None:
    otel_context.detach(token)


def _continued_trace(traceparent: bytes | None) -> int | None:
    if traceparent is None:
        return None
    match = _TRACEPARENT.match(traceparent.strip())
    if match is None or match[1] == _INVALID_VERSION:
        return None
    if match[1] == b"00" and len(traceparent.strip()) != match.end():
        return None
    if int(match[3], 16) == 0:
        return None
    return int(match[2], 16) or None


def _random_id(bits: int) -> int:
    while True:
        value = random.getrandbits(bits)
        if value:
            return value
