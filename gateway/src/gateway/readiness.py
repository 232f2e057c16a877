"""Readiness from state a background task keeps: ``/readyz`` never touches a dependency.

``/readyz`` is public, so it must not let anyone make the gateway fetch the JWKS or
ping Redis per call. One task per process checks every ``interval`` seconds: a Redis
Cluster PING, and whether the token verifier holds keys (loading them if it does not, so
the first token needs no fetch either). Once loaded, keys stay usable through a JWKS
outage (the verifier serves stale keys), so that outage does not make the gateway unready.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from redis.asyncio.cluster import RedisCluster
from starlette.responses import JSONResponse, Response

from gateway.breaker import CircuitBreaker
from gateway.problems import PROBLEM_CONTENT_TYPE
from platform_common.auth.jwt import AsyncJWKSClient, KeysUnavailable
from platform_common.observability.logging import request_id_var
from platform_common.problems import ProblemCode, problem_body

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 2.0
PING_ATTEMPTS = 3
# Asked of the key client to load the key set; no real key has an empty id.
ANY_KID = ""


class Readiness:
    def __init__(
        self,
        redis: RedisCluster,
        keys: AsyncJWKSClient,
        breakers: dict[str, CircuitBreaker],
        *,
        interval_seconds: float,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._breakers = breakers
        self._interval = interval_seconds
        self._failing: list[str] = ["redis_cluster", "jwks"]
        self._checked = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="readiness")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            # The cancel can be absorbed by a shielded section of the HTTP client (a JWKS
            # fetch in flight then completes, and shutdown hung on this task): the loop
            # also ends at the flag, after the check under way.
            self._task.cancel()
            await asyncio.wait({self._task})

    async def answer(self, instance: str) -> Response:
        """The ``/readyz`` answer: 200, or a 503 problem naming what is failing."""
        # Right after start the first check may be under way: wait for it, not for a new one.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS * 2):
                await self._checked.wait()
        # Informational: an open breaker does not make the gateway unready (taking it out
        # of the load balancer would not bring the upstream back).
        upstreams = {service: breaker.describe() for service, breaker in self._breakers.items()}
        if not self._failing:
            return JSONResponse({"status": "ready", "breakers": upstreams})
        body = problem_body(
            status=503,
            code=ProblemCode.SERVICE_UNAVAILABLE,
            detail=f"Not ready: {', '.join(self._failing)}.",
            instance=instance,
            request_id=request_id_var.get() or "",
            extra={"breakers": upstreams},
        )
        return Response(
            json.dumps(body, separators=(",", ":")),
            status_code=503,
            media_type=PROBLEM_CONTENT_TYPE.decode(),
        )

    async def _run(self) -> None:
        while not self._stopping.is_set():
            checks = (("redis_cluster", self._redis_reachable()), ("jwks", self._keys_loaded()))
            self._failing = [name for name, check in checks if not await check]
            self._checked.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._interval)

    async def _redis_reachable(self) -> bool:
        # The client fails fast for the request path; a check has CHECK_TIMEOUT_SECONDS,
        # so one slow round trip (a loaded node) is retried rather than taking the gateway
        # out of service until the next check.
        error: Exception | None = None
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                for _ in range(PING_ATTEMPTS):
                    try:
                        return bool(await self._redis.ping())
                    except Exception as exc:
                        # Not only RedisError: redis-py also raises RuntimeError from a
                        # connection closed under it; the check must outlive any of them.
                        error = exc
        except TimeoutError as exc:
            error = exc
        logger.warning("readiness: Redis Cluster unreachable (%s)", type(error).__name__)
        return False

    async def _keys_loaded(self) -> bool:
        try:
            self._keys.cache.key(ANY_KID)  # raises until a key set was loaded once
            return True
        except KeysUnavailable:
            pass
        try:
            # Not faster than the client's refetch floor, and shared with the verifier.
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                await self._keys.get_key(ANY_KID)
        except KeysUnavailable:
            return False
        except TimeoutError:
            logger.warning("readiness: JWKS not fetched in time")
            return False
        return True
