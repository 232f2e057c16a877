"""The gateway's ASGI application: ``uvicorn gateway.app:create_app --factory``."""

from __future__ import annotations

import asyncio
import contextlib
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

from gateway.admission import Admission, Limits
from gateway.auth import EdgeAuthenticator
from gateway.breaker import CircuitBreaker
from gateway.config import Settings
from gateway.edge import Edge, EdgeHolder, EdgeMiddleware
from gateway.openapi import DOCS_CONTENT_SECURITY_POLICY, MergedSchema, docs_page
from gateway.problems import PROBLEM_CONTENT_TYPE
from gateway.proxy import HttpProxy, create_session
from gateway.ratelimit import RateLimiter, connect_cluster
from gateway.ws import WebSocketProxy
from platform_common.auth.jwt import AsyncJWKSClient, AsyncTokenVerifier, parse_jwks
from platform_common.observability.logging import configure_logging, request_id_var
from platform_common.problems import problem_body

logger = logging.getLogger(__name__)

READINESS_TIMEOUT_SECONDS = 2.0
SCHEMA_PATH = "/api/schema/"
DOCS_PATH = "/api/docs/"


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_environ()
    configure_logging(service="gateway", level=settings.log_level)
    _use_json_for_uvicorn_logs()
    holder = EdgeHolder()
    redis = connect_cluster(settings.redis_cluster_url, timeout=settings.redis_timeout)
    # Per process: each worker learns on its own that an upstream is down.
    breakers = {
        service: CircuitBreaker(
            threshold=settings.breaker_failure_threshold,
            reset_seconds=settings.breaker_reset_seconds,
            window_seconds=settings.breaker_window_seconds,
        )
        for service in settings.upstreams
    }

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        session = create_session(
            pool_size=settings.upstream_pool_size,
            keepalive_seconds=settings.upstream_keepalive_seconds,
            connect_timeout=settings.upstream_connect_timeout,
            read_timeout=settings.upstream_read_timeout,
        )
        verifier = AsyncTokenVerifier(
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            keys=AsyncJWKSClient(
                settings.jwks_url, min_refetch_seconds=settings.jwks_min_refetch_seconds
            ),
        )
        holder.edge = Edge(
            admission=Admission(
                EdgeAuthenticator(verifier.verify),
                RateLimiter(
                    redis,
                    window_seconds=settings.rate_limit_window_seconds,
                    key_prefix=settings.rate_limit_key_prefix,
                ),
                Limits.from_settings(settings),
            ),
            http_proxy=HttpProxy(
                session,
                settings.upstreams,
                max_body_bytes=settings.max_request_body_bytes,
                retry_after_seconds=settings.upstream_retry_after_seconds,
                breakers=breakers,
                retries=settings.retries,
            ),
            ws_proxy=WebSocketProxy(
                session,
                settings.upstreams["notifications"],
                retry_after_seconds=settings.upstream_retry_after_seconds,
            ),
            schema=MergedSchema(
                session, settings.upstreams, cache_seconds=settings.openapi_cache_seconds
            ),
        )
        try:
            yield
        finally:
            holder.edge = None
            await session.close()
            await redis.aclose()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        failing = [
            name
            for name, ready in (
                ("redis_cluster", await _redis_reachable(redis)),
                ("jwks", await _jwks_fetchable(settings.jwks_url)),
            )
            if not ready
        ]
        # Informational: an open breaker does not make the gateway unready (taking it out
        # of the load balancer would not bring the upstream back).
        upstreams = {service: breaker.describe() for service, breaker in breakers.items()}
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
        _, body = await _edge(holder).schema.document()
        return Response(body, media_type="application/vnd.oai.openapi+json")

    async def docs(request: Request) -> Response:
        document, _ = await _edge(holder).schema.document()
        return HTMLResponse(
            docs_page(document, schema_path=SCHEMA_PATH),
            headers={"content-security-policy": DOCS_CONTENT_SECURITY_POLICY.decode()},
        )

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route(SCHEMA_PATH, schema),
            Route(DOCS_PATH, docs),
        ],
        middleware=[Middleware(EdgeMiddleware, settings=settings, holder=holder)],
        lifespan=lifespan,
    )


def _edge(holder: EdgeHolder) -> Edge:
    if holder.edge is None:
        raise RuntimeError("the lifespan has not started")
    return holder.edge


def _use_json_for_uvicorn_logs() -> None:
    """uvicorn configured its own plain-text handlers before calling the factory."""
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    # The edge writes one JSON access line per request, with its request id.
    logging.getLogger("uvicorn.access").disabled = True


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
