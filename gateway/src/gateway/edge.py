"""The edge: every request is identified, routed, authenticated, rate limited, then proxied.

Raw ASGI on the hot path: no request or response objects, one pass over the headers. The
pools and clients come from the lifespan state (``scope["state"]["edge"]``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from redis.asyncio.cluster import RedisCluster
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import problems
from gateway.auth import EdgeAuthenticator
from gateway.body import receive_body
from gateway.breaker import CircuitBreaker
from gateway.config import Settings
from gateway.cors import CorsPolicy
from gateway.headers import RequestHead, read_head, with_edge_headers
from gateway.openapi import MergedSchema
from gateway.pools import SocketSlots
from gateway.problems import Problem, send_problem
from gateway.proxy import HttpProxy
from gateway.ratelimit import RateLimiter
from gateway.routes import (
    OWN_METHODS,
    OWN_PATHS,
    REDIRECTS,
    WEBSOCKET_PATH,
    is_credential_route,
    is_public,
    upstream_service,
)
from gateway.ws import WebSocketProxy, deny
from platform_common.auth.jwt import Principal
from platform_common.auth.websocket import handshake_token

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("gateway.access")

INTERNAL_ERROR = Problem(500, "internal_error", "The gateway failed to handle the request.")
OWN_ALLOW = b"GET, HEAD"


@dataclass(frozen=True, slots=True)
class Edge:
    """What the edge needs per request, opened by the lifespan (the pools need its loop)."""

    authenticator: EdgeAuthenticator
    rate_limiter: RateLimiter
    http_proxy: HttpProxy
    ws_proxy: WebSocketProxy
    sockets: SocketSlots
    schema: MergedSchema
    breakers: dict[str, CircuitBreaker]
    redis: RedisCluster
    jwks_url: str


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self._settings = settings
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
        head = read_head(scope)
        cors_headers = self._cors.response_headers(head.origin)
        status = 0

        async def send_from_edge(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = with_edge_headers(
                    list(message.get("headers", ())), head.request_id, cors_headers
                )
            await send(message)

        try:
            await self._route(scope, receive, send_from_edge, head)
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
            if self._access_log and access_logger.isEnabledFor(logging.INFO):
                _log_access(scope, status, started)

    async def _route(self, scope: Scope, receive: Receive, send: Send, head: RequestHead) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        edge: Edge = scope["state"]["edge"]
        service = upstream_service(path)
        if service is not None:
            if head.preflight and head.origin is not None and method == "OPTIONS":
                await self._preflight(send, head.origin)
                return
            principal = await edge.authenticator.authenticate(
                head.authorization, public=is_public(method, path)
            )
            await self._check_rate_limit(edge, scope, principal)
            settings = self._settings
            body = await receive_body(
                receive,
                head,
                limit=settings.max_request_body_bytes,
                timeout=settings.request_body_timeout,
            )
            await edge.http_proxy.forward(scope, send, service=service, head=head, body=body)
            return
        rate_limited = OWN_PATHS.get(path)
        if rate_limited is not None:
            if method not in OWN_METHODS:
                raise problems.method_not_allowed(OWN_ALLOW)
            if rate_limited:
                await self._check_rate_limit(edge, scope, None)
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
        edge: Edge = scope["state"]["edge"]
        try:
            if scope["path"] != WEBSOCKET_PATH:
                raise problems.not_found(scope["path"])
            principal = await edge.authenticator.authenticate(
                _socket_authorization(scope, head), public=False
            )
            assert principal is not None
            await self._check_rate_limit(edge, scope, principal)
            user = str(principal.id)
            edge.sockets.take(user)
        except Problem as problem:
            await deny(scope, send, problem, request_id=head.request_id)
            return
        try:
            await edge.ws_proxy.forward(scope, receive, send, head=head)
        finally:
            edge.sockets.give_back(user)

    async def _check_rate_limit(
        self, edge: Edge, scope: Scope, principal: Principal | None
    ) -> None:
        settings = self._settings
        limits: dict[str, int]
        if principal is not None:
            identity, limits = f"user:{principal.id}", {"all": settings.rate_limit_authenticated}
        else:
            client = scope.get("client")
            identity = f"ip:{client[0] if client else 'unknown'}"
            limits = {"all": settings.rate_limit_anonymous}
        if is_credential_route(scope.get("method", "GET"), scope["path"]):
            limits["credentials"] = settings.rate_limit_credentials
        decision = await edge.rate_limiter.hit(identity, limits)
        if not decision.allowed:
            raise Problem(
                429,
                "rate_limited",
                "Too many requests; retry later.",
                headers=[(b"retry-after", str(decision.retry_after).encode())],
            )


def _socket_authorization(scope: Scope, head: RequestHead) -> bytes | None:
    """Browsers cannot set headers on a WebSocket: the token may come in the query or a
    subprotocol, both forwarded unchanged so the service verifies it again."""
    if head.authorization is not None:
        return head.authorization
    token = handshake_token(
        query_string=scope["query_string"], subprotocols=scope.get("subprotocols", ())
    ).token
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
