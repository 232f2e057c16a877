"""The edge itself: every request is identified, authenticated, rate limited, then proxied.

Raw ASGI on the hot path: no request or response objects, one pass over the headers.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import problems
from gateway.admission import Admission
from gateway.config import Settings
from gateway.cors import CorsPolicy
from gateway.headers import RawHeaders, request_id_from, traceparent_from, with_edge_headers
from gateway.idempotency import Idempotency
from gateway.openapi import MergedSchema, is_docs_path
from gateway.problems import Problem, send_problem
from gateway.proxy import HttpProxy
from gateway.routes import WEBSOCKET_PREFIX, is_public, upstream_service
from gateway.ws import WebSocketProxy, deny
from platform_common.auth.websocket import handshake_token
from platform_common.events.tracecontext import traceparent_var
from platform_common.observability.logging import request_id_var

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("gateway.access")

INTERNAL_ERROR = Problem(500, "internal_error", "The gateway failed to handle the request.")

# Served by the gateway itself (Starlette routes), not by an upstream.
OWN_PATHS = frozenset({"/healthz", "/readyz"})


@dataclass(frozen=True, slots=True)
class Edge:
    """What the edge needs per request; built once the lifespan has opened the pools."""

    admission: Admission
    idempotency: Idempotency
    http_proxy: HttpProxy
    ws_proxy: WebSocketProxy
    schema: MergedSchema


class EdgeHolder:
    """Filled at lifespan startup: the pools need the running event loop."""

    edge: Edge | None = None


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, *, settings: Settings, holder: EdgeHolder) -> None:
        self.app = app
        self._settings = settings
        self._holder = holder
        self._cors = CorsPolicy(settings.cors_allowed_origins)
        self._access_log = settings.access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id, traceparent, authorization, origin, preflight = _incoming(scope)
        cors_headers = self._cors.response_headers(origin)
        # Filled by the rate limiter before the answer starts.
        limit_headers: RawHeaders = []
        status = 0

        async def send_from_edge(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = with_edge_headers(
                    list(message.get("headers", ())), request_id, cors_headers + limit_headers
                )
            await send(message)

        try:
            if scope["path"] in OWN_PATHS:
                await self.app(scope, receive, send_from_edge)
            elif is_docs_path(scope["path"]):
                # The gateway's own, public, but rate limited like any anonymous API call.
                if scope["method"] not in ("GET", "HEAD"):
                    raise Problem(
                        405,
                        "method_not_allowed",
                        "Only GET and HEAD are allowed.",
                        headers=[(b"allow", b"GET, HEAD")],
                    )
                admitted = await self._edge().admission.admit(
                    method=scope["method"],
                    path=scope["path"],
                    client_ip=_client_ip(scope),
                    authorization=None,
                    public=True,
                )
                limit_headers.extend(admitted.headers)
                await self.app(scope, receive, send_from_edge)
            elif preflight and origin is not None and scope["method"] == "OPTIONS":
                headers = self._cors.preflight_headers(origin)
                await send_from_edge(
                    {"type": "http.response.start", "status": 204, "headers": headers}
                )
                await send_from_edge({"type": "http.response.body", "body": b""})
            else:
                await self._proxy(
                    scope,
                    receive,
                    send_from_edge,
                    request_id,
                    traceparent,
                    authorization,
                    limit_headers,
                )
        except Problem as problem:
            await send_problem(
                send_from_edge, problem, instance=scope["path"], request_id=request_id.decode()
            )
        except Exception:
            if status:
                raise  # the answer is under way: only ending the connection is left
            logger.exception("unhandled error at the edge")
            await send_problem(
                send_from_edge,
                INTERNAL_ERROR,
                instance=scope["path"],
                request_id=request_id.decode(),
            )
        finally:
            if self._access_log and access_logger.isEnabledFor(logging.INFO):
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

    async def _proxy(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        request_id: bytes,
        traceparent: str,
        authorization: bytes | None,
        limit_headers: RawHeaders,
    ) -> None:
        path: str = scope["path"]
        service = upstream_service(path)
        if service is None or path.startswith(WEBSOCKET_PREFIX):
            raise problems.not_found(path)
        edge = self._edge()
        admitted = await edge.admission.admit(
            method=scope["method"],
            path=path,
            client_ip=_client_ip(scope),
            authorization=authorization,
            public=is_public(scope["method"], path),
        )
        limit_headers.extend(admitted.headers)

        async def forward(receive: Receive, send: Send) -> None:
            await edge.http_proxy.forward(
                scope,
                receive,
                send,
                service=service,
                request_id=request_id,
                traceparent=traceparent,
            )

        await edge.idempotency.forward(
            scope, receive, send, caller=admitted.caller, forward=forward
        )

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id, traceparent, authorization, _, _ = _incoming(scope)
        try:
            edge = self._edge()
            if not scope["path"].startswith(WEBSOCKET_PREFIX):
                raise problems.not_found(scope["path"])
            # Browsers cannot set headers on a WebSocket: the token may come in the query or
            # a subprotocol, both forwarded unchanged so the service verifies it again.
            if authorization is None:
                token = handshake_token(
                    query_string=scope["query_string"], subprotocols=scope.get("subprotocols", ())
                ).token
                authorization = b"Bearer " + token.encode() if token else None
            await edge.admission.admit(
                method="GET",
                path=scope["path"],
                client_ip=_client_ip(scope),
                authorization=authorization,
                public=False,
            )
        except Problem as problem:
            await deny(scope, send, problem, request_id=request_id)
            return
        await edge.ws_proxy.forward(
            scope, receive, send, request_id=request_id, traceparent=traceparent
        )

    def _edge(self) -> Edge:
        edge = self._holder.edge
        if edge is None:
            raise Problem(503, "service_unavailable", "The gateway is starting.")
        return edge


def _client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _incoming(scope: Scope) -> tuple[bytes, str, bytes | None, bytes | None, bool]:
    """One pass over the request headers, HTTP or WebSocket: the request id and trace
    context (also set for the log lines), the ``Authorization`` and ``Origin`` values and
    whether this is a CORS preflight.
    """
    incoming_id = incoming_traceparent = authorization = origin = None
    preflight = False
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            incoming_id = value
        elif name == b"traceparent":
            incoming_traceparent = value
        elif name == b"authorization":
            authorization = value
        elif name == b"origin":
            origin = value
        elif name == b"access-control-request-method":
            preflight = True
    request_id = request_id_from(incoming_id)
    request_id_var.set(request_id.decode("ascii"))
    traceparent = traceparent_from(incoming_traceparent)
    traceparent_var.set(traceparent)
    return request_id, traceparent, authorization, origin, preflight
