"""The gateway's ASGI application; ``python -m gateway`` serves it (see ``server.py``)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator

from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from gateway.admission import Admission, Limits
from gateway.auth import EdgeAuthenticator
from gateway.breaker import CircuitBreaker
from gateway.client import ConnectionPool
from gateway.config import Settings, environment
from gateway.edge import Edge, EdgeMiddleware
from gateway.idempotency import Idempotency
from gateway.logs import configure_gateway_logging
from gateway.metrics import SERVICE, WEBSOCKETS_OPEN, watch_breakers
from gateway.openapi import (
    DOCS_CONTENT_SECURITY_POLICY,
    EXPLORER_PAGE,
    EXPLORER_SCRIPT,
    MergedSchema,
    swagger_ui_dir,
)
from gateway.pools import SocketSlots, Upstream, create_session
from gateway.proxy import HttpProxy
from gateway.ratelimit import RateLimiter, connect_cluster
from gateway.readiness import Readiness
from gateway.routes import (
    DOCS_ASSETS_PATH,
    DOCS_PATH,
    DOCS_SCRIPT_PATH,
    HEALTH_PATH,
    READY_PATH,
    SCHEMA_PATH,
)
from gateway.ws import WebSocketProxy
from platform_common.auth.jwt import AsyncJWKSClient, AsyncTokenVerifier
from platform_common.observability.metrics import start_metrics_server
from platform_common.observability.setup import (
    observed_asgi,
    setup_observability,
    tracing_recorded,
)


def create_app(settings: Settings | None = None) -> ASGIApp:
    settings = settings or Settings.from_environ()
    configure_gateway_logging(settings.log_level)
    setup_observability(service="gateway", environ=environment())
    # Spans only when they are recorded: in the default ids-only mode the edge mints the
    # ids itself (edge.py), a quarter of a proxied request's CPU less than the generic
    # server and client instrumentation spent creating spans nothing records.
    spans = tracing_recorded()
    if spans:
        # Before the lifespan opens the sessions: each WebSocket's upstream handshake is a
        # client span (proxied requests have theirs from proxy.py).
        AioHttpClientInstrumentor().instrument()
    app = Starlette(
        routes=[
            Route(HEALTH_PATH, healthz),
            Route(READY_PATH, readyz),
            Route(SCHEMA_PATH, schema),
            Route(DOCS_PATH, docs),
            Route(DOCS_SCRIPT_PATH, docs_script),
            Mount(DOCS_ASSETS_PATH, StaticFiles(directory=swagger_ui_dir())),
        ],
        lifespan=functools.partial(lifespan, settings=settings),
    )
    # The edge in front of Starlette, not inside it: proxied requests (nearly all) skip
    # Starlette's layers; the gateway's own paths and the lifespan go through to it.
    edge = EdgeMiddleware(app, settings=settings)
    observed: ASGIApp = observed_asgi(edge, server_spans=spans)
    return observed


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
    pools = {
        service: ConnectionPool(
            url,
            keepalive_seconds=settings.upstream_keepalive_seconds,
            connect_timeout=settings.upstream_connect_timeout,
            read_timeout=settings.upstream_read_timeout,
        )
        for service, url in settings.upstreams.items()
    }
    # aiohttp for the rest: WebSockets and the services' schemas.
    websocket_session, schema_session = new_session(), new_session()
    # Per process: each worker learns on its own that an upstream is down.
    breakers = {
        service: CircuitBreaker(
            threshold=settings.breaker_failure_threshold,
            reset_seconds=settings.breaker_reset_seconds,
            window_seconds=settings.breaker_window_seconds,
        )
        for service in settings.upstreams
    }
    watch_breakers(breakers)
    sockets = SocketSlots(
        limit=settings.websocket_max_connections, per_client=settings.websocket_max_per_client
    )
    WEBSOCKETS_OPEN.labels(SERVICE).set_function(lambda: sockets.open)
    redis = connect_cluster(settings.redis_cluster_url, timeout=settings.redis_timeout)
    keys = AsyncJWKSClient(settings.jwks_url, min_refetch_seconds=settings.jwks_min_refetch_seconds)
    verifier = AsyncTokenVerifier(
        issuer=settings.jwt_issuer, audience=settings.jwt_audience, keys=keys
    )
    edge = Edge(
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
            max_response_bytes=settings.idempotency_max_response_bytes,
        ),
        http_proxy=HttpProxy(
            {
                service: Upstream(
                    service,
                    url,
                    pool=pools[service],
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
        sockets=sockets,
        schema=MergedSchema(
            schema_session, settings.upstreams, cache_seconds=settings.openapi_cache_seconds
        ),
    )
    # Per process, in the background: /readyz only reads what it found.
    readiness = Readiness(
        redis, keys, breakers, interval_seconds=settings.readiness_interval_seconds
    )
    readiness.start()
    # Its own listener: the public port never answers /metrics.
    metrics = start_metrics_server(settings.metrics_port) if settings.metrics_port else None
    try:
        yield {"edge": edge, "readiness": readiness}
    finally:
        if metrics is not None:
            metrics.stop()
        await readiness.stop()
        await edge.admission.close()
        for pool in pools.values():
            await pool.close()
        for session in (websocket_session, schema_session):
            await session.close()
        await redis.aclose()


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    readiness: Readiness = request.state.readiness
    return await readiness.answer(request.url.path)


async def schema(request: Request) -> Response:
    edge: Edge = request.state.edge
    _, body = await edge.schema.document()
    return Response(body, media_type="application/vnd.oai.openapi+json")


async def docs(request: Request) -> Response:
    return HTMLResponse(
        EXPLORER_PAGE, headers={"content-security-policy": DOCS_CONTENT_SECURITY_POLICY}
    )


async def docs_script(request: Request) -> Response:
    return Response(EXPLORER_SCRIPT, media_type="text/javascript")
