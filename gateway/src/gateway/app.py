"""The gateway's ASGI application; ``python -m gateway`` serves it (see ``server.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import AsyncIterator

import httpx
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisClusterException, RedisError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from gateway.auth import EdgeAuthenticator
from gateway.breaker import CircuitBreaker
from gateway.config import Settings
from gateway.edge import Edge, EdgeMiddleware
from gateway.logs import configure_gateway_logging
from gateway.openapi import DOCS_CONTENT_SECURITY_POLICY, MergedSchema, docs_page
from gateway.pools import SocketSlots, Upstream, create_session
from gateway.problems import PROBLEM_CONTENT_TYPE
from gateway.proxy import HttpProxy
from gateway.ratelimit import RateLimiter, connect_cluster
from gateway.routes import DOCS_PATH, HEALTH_PATH, READY_PATH, SCHEMA_PATH
from gateway.ws import WebSocketProxy
from platform_common.auth.jwt import AsyncJWKSClient, AsyncTokenVerifier, parse_jwks
from platform_common.observability.logging import request_id_var
from platform_common.problems import problem_body

logger = logging.getLogger(__name__)

READINESS_TIMEOUT_SECONDS = 2.0


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_environ()
    configure_gateway_logging(settings.log_level)
    return Starlette(
        routes=[
            Route(HEALTH_PATH, healthz),
            Route(READY_PATH, readyz),
            Route(SCHEMA_PATH, schema),
            Route(DOCS_PATH, docs),
        ],
        middleware=[Middleware(EdgeMiddleware, settings=settings)],
        lifespan=functools.partial(lifespan, settings=settings),
    )


@contextlib.asynccontextmanager
async def lifespan(app: Starlette, *, settings: Settings) -> AsyncIterator[dict[str, object]]:
    """Opens the pools and clients once per process; requests find them in their state."""
    new_session = functools.partial(
        create_session,
        keepalive_seconds=settings.upstream_keepalive_seconds,
        connect_timeout=settings.upstream_connect_timeout,
        # Handshakes only for WebSockets: aiohttp lifts it once a socket is open.
        read_timeout=settings.upstream_read_timeout,
    )
    sessions = {service: new_session() for service in settings.upstreams}
    websocket_session = new_session()
    # Per process: each worker learns on its own that an upstream is down.
    breakers = {
        service: CircuitBreaker(
            threshold=settings.breaker_failure_threshold,
            reset_seconds=settings.breaker_reset_seconds,
            window_seconds=settings.breaker_window_seconds,
        )
        for service in settings.upstreams
    }
    redis = connect_cluster(settings.redis_cluster_url, timeout=settings.redis_timeout)
    verifier = AsyncTokenVerifier(
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        keys=AsyncJWKSClient(
            settings.jwks_url, min_refetch_seconds=settings.jwks_min_refetch_seconds
        ),
    )
    edge = Edge(
        authenticator=EdgeAuthenticator(verifier.verify),
        rate_limiter=RateLimiter(
            redis,
            window_seconds=settings.rate_limit_window_seconds,
            key_prefix=settings.rate_limit_key_prefix,
        ),
        http_proxy=HttpProxy(
            {
                service: Upstream(
                    service,
                    url,
                    session=sessions[service],
                    breaker=breakers[service],
                    limit=settings.upstream_pool_size,
                )
                for service, url in settings.upstreams.items()
            },
            proxy_secret=settings.proxy_secret,
            retry_after_seconds=settings.upstream_retry_after_seconds,
            retries=settings.retries,
        ),
        ws_proxy=WebSocketProxy(
            websocket_session,
            settings.upstreams["notifications"],
            proxy_secret=settings.proxy_secret,
            retry_after_seconds=settings.upstream_retry_after_seconds,
        ),
        sockets=SocketSlots(
            limit=settings.websocket_max_connections,
            per_client=settings.websocket_max_per_client,
        ),
        schema=MergedSchema(
            sessions["accounts"], settings.upstreams, cache_seconds=settings.openapi_cache_seconds
        ),
        breakers=breakers,
        redis=redis,
        jwks_url=settings.jwks_url,
    )
    try:
        yield {"edge": edge}
    finally:
        for session in (*sessions.values(), websocket_session):
            await session.close()
        await redis.aclose()


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    edge: Edge = request.state.edge
    failing = [
        name
        for name, ready in (
            ("redis_cluster", await _redis_reachable(edge.redis)),
            ("jwks", await _jwks_fetchable(edge.jwks_url)),
        )
        if not ready
    ]
    # Informational: an open breaker does not make the gateway unready (taking it out
    # of the load balancer would not bring the upstream back).
    upstreams = {service: breaker.describe() for service, breaker in edge.breakers.items()}
    if not failing:
        return JSONResponse({"status": "ready", "breakers": upstreams})
    body = problem_body(
        status=503,
        code="service_unavailable",
        detail=f"Not ready: {', '.join(failing)}.",
        instance=request.url.path,
        request_id=request_id_var.get() or "",
        extra={"breakers": upstreams},
    )
    return Response(
        json.dumps(body, separators=(",", ":")),
        status_code=503,
        media_type=PROBLEM_CONTENT_TYPE.decode(),
    )


async def schema(request: Request) -> Response:
    edge: Edge = request.state.edge
    _, body = await edge.schema.document()
    return Response(body, media_type="application/vnd.oai.openapi+json")


async def docs(request: Request) -> Response:
    edge: Edge = request.state.edge
    document, _ = await edge.schema.document()
    return HTMLResponse(
        docs_page(document, schema_path=SCHEMA_PATH),
        headers={"content-security-policy": DOCS_CONTENT_SECURITY_POLICY.decode()},
    )


async def _redis_reachable(redis: RedisCluster) -> bool:
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            return bool(await redis.ping())
    except (RedisError, RedisClusterException, OSError, TimeoutError) as error:
        logger.warning("readiness: Redis Cluster unreachable (%s)", type(error).__name__)
        return False


async def _jwks_fetchable(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=READINESS_TIMEOUT_SECONDS) as http:
            response = await http.get(url)
        response.raise_for_status()
        return bool(parse_jwks(response.json()))
    except (httpx.HTTPError, ValueError) as error:
        logger.warning("readiness: JWKS not fetchable (%s)", type(error).__name__)
        return False
