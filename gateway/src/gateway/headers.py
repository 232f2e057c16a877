"""Header rules at the edge: what never crosses it, what the gateway sets itself."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass

from opentelemetry import trace
from starlette.types import Scope

from platform_common.observability.logging import request_id_var

RawHeaders = list[tuple[bytes, bytes]]

# RFC 9110 §7.6.1: meaningful for one connection only, never forwarded.
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
    }
)
# Identity and provenance are asserted by the gateway only; a client must not forge them
# (with every ``X-Forwarded-*``: gunicorn answers "Contradictory scheme headers" to some).
SPOOFABLE = frozenset(
    {
        b"x-user-id",
        b"x-user-roles",
        b"x-gateway-proxy-secret",
        b"x-real-ip",
        b"forwarded",
        b"front-end-https",
        b"x-url-scheme",
    }
)
FORWARDED_PREFIX = b"x-forwarded-"
# The gateway's own values replace whatever the client sent; aiohttp sets Host per upstream.
# The traceparent is the edge's current span (its client span's, set by OpenTelemetry's
# aiohttp instrumentation over it, when spans are recorded).
SET_BY_GATEWAY = frozenset({b"host", b"x-request-id", b"traceparent", b"content-length"})
# Negotiated by the gateway's own WebSocket handshake with the upstream.
WEBSOCKET_HANDSHAKE = frozenset(
    {
        b"sec-websocket-key",
        b"sec-websocket-version",
        b"sec-websocket-extensions",
        b"sec-websocket-protocol",
        b"sec-websocket-accept",
    }
)

SECURITY_HEADERS: RawHeaders = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
API_CONTENT_SECURITY_POLICY = (
    b"content-security-policy",
    b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
)
# Set on every response by the gateway (and its server), so the upstream's copies go.
EDGE_RESPONSE_HEADER_NAMES = frozenset(
    [*(name for name, _ in SECURITY_HEADERS), b"x-request-id", b"date", b"server"]
)

_REQUEST_ID = re.compile(rb"[A-Za-z0-9._-]{1,128}")


@dataclass(frozen=True, slots=True)
class RequestHead:
    """What the edge reads from a request's headers, in one pass."""

    request_id: bytes
    authorization: bytes | None
    origin: bytes | None
    preflight: bool
    content_length: int | None
    chunked: bool
    idempotency_key: bytes | None
    traceparent: bytes | None


def read_head(scope: Scope) -> RequestHead:
    """One pass over the request headers, HTTP or WebSocket; also sets the request id for
    the log lines (the trace context is the ASGI instrumentation's)."""
    incoming_id = authorization = origin = idempotency_key = traceparent = None
    content_length: int | None = None
    preflight = chunked = False
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            incoming_id = value
        elif name == b"authorization":
            authorization = value
        elif name == b"origin":
            origin = value
        elif name == b"access-control-request-method":
            preflight = True
        elif name == b"content-length":
            # The server (httptools) has already refused a malformed length.
            content_length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"idempotency-key":
            idempotency_key = value
        elif name == b"traceparent":
            traceparent = value
    request_id = request_id_from(incoming_id)
    request_id_var.set(request_id.decode("ascii"))
    return RequestHead(
        request_id,
        authorization,
        origin,
        preflight,
        content_length,
        chunked,
        idempotency_key,
        traceparent,
    )


def connection_listed(headers: Iterable[tuple[bytes, bytes]]) -> frozenset[bytes]:
    """Names a sender listed in ``Connection``: hop-by-hop as well (RFC 9110 §7.6.1)."""
    listed: set[bytes] = set()
    for name, value in headers:
        if name == b"connection":
            listed.update(token.strip().lower() for token in value.split(b","))
    return frozenset(listed)


def request_id_from(incoming: bytes | None) -> bytes:
    """Keep a sane incoming ``X-Request-ID`` so a trace spans the caller; else make one."""
    if incoming is not None and _REQUEST_ID.fullmatch(incoming):
        return incoming
    # 32 random hex digits, as uuid4().hex without a UUID or a system call per request (an
    # id, not a secret: the trace ids come from the same generator).
    return b"%032x" % random.getrandbits(128)


RESPONSE_DROPPED = HOP_BY_HOP | EDGE_RESPONSE_HEADER_NAMES


def response_headers(upstream: Iterable[tuple[bytes, bytes]]) -> RawHeaders:
    """Upstream response headers minus hop-by-hop ones and those the edge sets itself."""
    lowered = [(name.lower(), value) for name, value in upstream]
    # Per answer, the set is built anew only when the upstream lists names in Connection.
    listed = connection_listed(lowered)
    dropped = RESPONSE_DROPPED | listed if listed else RESPONSE_DROPPED
    return [(name, value) for name, value in lowered if name not in dropped]


def with_edge_headers(headers: RawHeaders, request_id: bytes, extra: RawHeaders) -> RawHeaders:
    """Every response leaves with the security headers and its request id.

    The strict policy is for API responses; an upstream serving HTML (a docs page) sends
    the policy it needs and keeps it.
    """
    has_policy = any(name == b"content-security-policy" for name, _ in headers)
    headers.extend(SECURITY_HEADERS)
    if not has_policy:
        headers.append(API_CONTENT_SECURITY_POLICY)
    headers.append((b"x-request-id", request_id))
    headers.extend(extra)
    return headers


HTTP_DROPPED = HOP_BY_HOP | SPOOFABLE | SET_BY_GATEWAY
WEBSOCKET_DROPPED = HTTP_DROPPED | WEBSOCKET_HANDSHAKE


def upstream_request_headers(
    scope: Scope,
    *,
    head: RequestHead,
    proxy_secret: bytes,
    dropped: frozenset[bytes] = HTTP_DROPPED,
) -> RawHeaders:
    """The client's headers as the upstream must see them.

    Hop-by-hop and spoofable headers go; the gateway asserts provenance with its own
    X-Forwarded-For/Host/Proto, which services believe only next to the proxy secret, and
    propagates the request id. Authorization is kept: every service
    verifies the token again.
    """
    incoming: list[tuple[bytes, bytes]] = scope["headers"]
    listed = connection_listed(incoming)
    if listed:
        dropped = dropped | listed
    forwarded: RawHeaders = []
    host = b""
    for name, value in incoming:
        if name == b"host":
            host = value
        if name not in dropped and not name.startswith(FORWARDED_PREFIX):
            forwarded.append((name, value))
    forwarded.append((b"x-gateway-proxy-secret", proxy_secret))
    client = scope.get("client")
    if client:
        forwarded.append((b"x-forwarded-for", client[0].encode("latin-1")))
    secure = scope["scheme"] in ("https", "wss")
    forwarded.append((b"x-forwarded-proto", b"https" if secure else b"http"))
    if host:
        forwarded.append((b"x-forwarded-host", host))
    forwarded.append((b"x-request-id", head.request_id))
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        forwarded.append(
            (
                b"traceparent",
                b"00-%032x-%016x-%02x" % (span.trace_id, span.span_id, span.trace_flags),
            )
        )
    return forwarded
