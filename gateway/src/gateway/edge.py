"""The edge: every request is identified, routed, admitted (rate limit and token), its body
received, then proxied (once per ``Idempotency-Key`` for a keyed POST).

Raw ASGI on the hot path: no request or response objects, one pass over the headers. The
pools and clients come from the lifespan state (``scope["state"]["edge"]``).
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import problems
from gateway.admission import Admission
from gateway.body import receive_body
from gateway.config import Settings
from gateway.cors import CorsPolicy
from gateway.headers import RawHeaders, RequestHead, read_head, with_edge_headers
from gateway.idempotency import Idempotency
from gateway.metrics import RequestMetrics
from gateway.openapi import MergedSchema
from gateway.pools import SocketSlots
from gateway.problems import Problem, send_problem
from gateway.proxy import HttpProxy
from gateway.routes import (
    OWN_METHODS,
    REDIRECTS,
    WEBSOCKET_PATH,
    is_public,
    own_path_limited,
    upstream_service,
)
from gateway.trace_ids import enter_trace, leave_trace
from gateway.ws import WebSocketProxy, deny
from platform_common.auth.websocket import handshake_token
from platform_common.observability.logging import user_id_var
from platform_common.observability.setup import tracing_enabled, tracing_recorded
from platform_common.problems import ProblemCode

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("gateway.access")

INTERNAL_ERROR = Problem(
    500, ProblemCode.INTERNAL_ERROR, "The gateway failed to handle the request."
)
OWN_ALLOW = b"GET, HEAD"


@dataclass(frozen=True, slots=True)
class Edge:
    """What the edge needs per request, opened by the lifespan (the pools need its loop)."""

    admission: Admission
    idempotency: Idempotency
    http_proxy: HttpProxy
    ws_proxy: WebSocketProxy
    sockets: SocketSlots
    schema: MergedSchema


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self._settings = settings
        self._cors = CorsPolicy(settings.cors_allowed_origins)
        self._access_log = settings.access_log
        self._metrics = RequestMetrics()
        # Without recorded spans (no server span middleware), the edge mints the ids.
        self._mints_trace_ids = tracing_enabled() and not tracing_recorded()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        metrics = self._metrics
        metrics.in_flight += 1
        head = read_head(scope)
        trace_token = enter_trace(head.traceparent) if self._mints_trace_ids else None
        # CORS fields, then the RateLimit fields once the request is counted.
        extra_headers = self._cors.response_headers(head.origin)
        status = 0

        async def send_from_edge(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = with_edge_headers(
                    list(message.get("headers", ())), head.request_id, extra_headers
                )
            await send(message)

        try:
            await self._route(scope, receive, send_from_edge, head, extra_headers)
        except Problem as problem:
            await send_problem(
                send_from_edge, problem, instance=scope["path"], request_id=head.request_id.decode()
            )
        except Exception:
            if status:
                raise  # the answer is under way: only ending the connection is left
            logger.exception("unhandled error at the edge")
            await send_problem(
                send_from_edge,
                INTERNAL_ERROR,
                instance=scope["path"],
                request_id=head.request_id.decode(),
            )
        finally:
            metrics.in_flight -= 1
            metrics.observe(scope["method"], scope["path"], status, time.perf_counter() - started)
            if self._access_log and access_logger.isEnabledFor(logging.INFO):
                _log_access(scope, status, started)
            if trace_token is not None:
                leave_trace(trace_token)

    async def _route(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        head: RequestHead,
        answer_headers: RawHeaders,
    ) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        edge: Edge = scope["state"]["edge"]
        service = upstream_service(path)
        if service is not None:
            if head.preflight and head.origin is not None and method == "OPTIONS":
                await self._preflight(send, head.origin)
                return
            admitted = await edge.admission.admit(
                method=method,
                path=path,
                client_ip=_client_ip(scope),
                authorization=head.authorization,
                public=is_public(method, path),
            )
            answer_headers.extend(admitted.headers)
            if admitted.user_id is not None:
                user_id_var.set(admitted.user_id)
            settings = self._settings
            body = await receive_body(
                receive,
                head,
                limit=settings.max_request_body_bytes,
                timeout=settings.request_body_timeout,
            )
            if head.idempotency_key is not None and method == "POST":
                await edge.idempotency.forward(
                    scope,
                    send,
                    key=head.idempotency_key,
                    caller=admitted.caller,
                    body=body,
                    forward=functools.partial(
                        edge.http_proxy.forward, scope, service=service, head=head, body=body
                    ),
                )
                return
            await edge.http_proxy.forward(scope, send, service=service, head=head, body=body)
            return
        rate_limited = own_path_limited(path)
        if rate_limited is not None:
            if method not in OWN_METHODS:
                raise problems.method_not_allowed(OWN_ALLOW)
            if rate_limited:
                admitted = await edge.admission.admit(
                    method=method,
                    path=path,
                    client_ip=_client_ip(scope),
                    authorization=None,
                    public=True,
                )
                answer_headers.extend(admitted.headers)
            await self.app(scope, receive, send)
            return
        target = REDIRECTS.get(path)
        if target is not None:
            await _redirect(send, target, scope["query_string"])
            return
        raise problems.not_found(path)

    async def _preflight(self, send: Send, origin: bytes) -> None:
        """CORS preflights are answered here and never reach a service."""
        headers = self._cors.preflight_headers(origin)
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        head = read_head(scope)
        trace_token = enter_trace(head.traceparent) if self._mints_trace_ids else None
        try:
            await self._socket(scope, receive, send, head)
        finally:
            if trace_token is not None:
                leave_trace(trace_token)

    async def _socket(self, scope: Scope, receive: Receive, send: Send, head: RequestHead) -> None:
        edge: Edge = scope["state"]["edge"]
        try:
            if scope["path"] != WEBSOCKET_PATH:
                raise problems.not_found(scope["path"])
            handshake = handshake_token(
                query_string=scope["query_string"],
                subprotocols=scope.get("subprotocols", ()),
                authorization=head.authorization,
            )
            # A ticket (browsers) is single use: only notifications can redeem it, so the
            # handshake passes counted as anonymous, and the service refuses a bad ticket.
            ticket = handshake.ticket is not None
            admitted = await edge.admission.admit(
                method="GET",
                path=scope["path"],
                client_ip=_client_ip(scope),
                authorization=None if ticket else _socket_authorization(head, handshake.token),
                public=ticket,
            )
            if admitted.user_id is not None:
                user = admitted.user_id
                user_id_var.set(user)
            else:
                # Each ticket opens one socket at most; the service caps sockets per user.
                user = f"ticket:{handshake.ticket}"
            edge.sockets.take(user)
        except Problem as problem:
            await deny(scope, send, problem, request_id=head.request_id)
            return
        try:
            await edge.ws_proxy.forward(scope, receive, send, head=head)
        finally:
            edge.sockets.give_back(user)


def _client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _socket_authorization(head: RequestHead, token: str | None) -> bytes | None:
    """Browsers cannot set headers on a WebSocket: the token may come in the query or a
    subprotocol, both forwarded unchanged so the service verifies it again."""
    if head.authorization is not None:
        return head.authorization
    return b"Bearer " + token.encode() if token else None


async def _redirect(send: Send, target: str, query: bytes) -> None:
    location = target.encode() + (b"?" + query if query else b"")
    await send(
        {
            "type": "http.response.start",
            "status": 308,
            "headers": [(b"location", location), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})


def _log_access(scope: Scope, status: int, started: float) -> None:
    access_logger.info(
        "%s %s %d",
        scope["method"],
        scope["path"],
        status,
        extra={
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )
