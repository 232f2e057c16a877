"""The gateway's ASGI application: ``uvicorn gateway.app:create_app --factory``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.admission import Admission, Limits
from gateway.auth import EdgeAuthenticator
from gateway.breaker import CircuitBreaker
from gateway.config import Settings
from gateway.edge import Edge, EdgeHolder, EdgeMiddleware
from gateway.idempotency import Idempotency
from gateway.openapi import MergedSchema, docs_routes
from gateway.proxy import HttpProxy, create_session
from gateway.ratelimit import RateLimiter, connect_cluster
from gateway.readiness import Readiness
from gateway.ws import WebSocketProxy
from platform_common.auth.jwt import AsyncJWKSClient, AsyncTokenVerifier
from platform_common.observability.logging import configure_logging

logger = logging.getLogger(__name__)

READINESS_TIMEOUT_SECONDS = 2.0


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

    keys = AsyncJWKSClient(settings.jwks_url, min_refetch_seconds=settings.jwks_min_refetch_seconds)
    readiness = Readiness(
        redis, keys, breakers, interval_seconds=settings.readiness_interval_seconds
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        session = create_session(
            pool_size=settings.upstream_pool_size,
            keepalive_seconds=settings.upstream_keepalive_seconds,
            connect_timeout=settings.upstream_connect_timeout,
            read_timeout=settings.upstream_read_timeout,
        )
        verifier = AsyncTokenVerifier(
            issuer=settings.jwt_issuer, audience=settings.jwt_audience, keys=keys
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
            idempotency=Idempotency(
                redis,
                key_prefix=settings.idempotency_key_prefix,
                ttl_seconds=settings.idempotency_ttl_seconds,
                lock_seconds=settings.idempotency_lock_seconds,
                max_request_bytes=settings.max_request_body_bytes,
                max_response_bytes=settings.idempotency_max_response_bytes,
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
        readiness.start()
        try:
            yield
        finally:
            await readiness.stop()
            holder.edge = None
            await session.close()
            await redis.aclose()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readiness.endpoint),
            *docs_routes(lambda: _edge(holder).schema),
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
