from __future__ import annotations

import asyncio
from typing import cast

import httpx
from redis.asyncio.cluster import RedisCluster

from gateway.readiness import PING_ATTEMPTS, Readiness
from platform_common.auth.jwt import AsyncJWKSClient
from platform_common.testing.jwt import (
    TEST_AUDIENCE,
    TEST_ISSUER,
    JWKSServer,
    SigningKey,
    sign_token,
)
from tests.conftest import StartGateway
from tests.servers import closed_port


async def test_healthz_answers_without_dependencies(start_gateway: StartGateway) -> None:
    gateway = start_gateway(redis_cluster_url=f"redis://127.0.0.1:{closed_port()}/0")
    async with gateway as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_with_redis_cluster_and_jwks(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")

    assert response.status_code == 200
    closed = {"state": "closed", "consecutive_failures": 0}
    assert response.json() == {
        "status": "ready",
        "breakers": {"accounts": closed, "content": closed, "notifications": closed},
    }


async def test_readyz_names_every_missing_dependency(start_gateway: StartGateway) -> None:
    gateway = start_gateway(
        redis_cluster_url=f"redis://127.0.0.1:{closed_port()}/0",
        jwks_url=f"http://127.0.0.1:{closed_port()}/.well-known/jwks.json",
    )
    async with gateway as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/readyz", headers={"x-request-id": "ready-1"})

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "service_unavailable"
    assert response.json()["detail"] == "Not ready: redis_cluster, jwks."
    assert response.json()["request_id"] == "ready-1"
    assert response.json()["breakers"]["content"]["state"] == "closed"


async def test_readyz_never_makes_anonymous_callers_fetch_the_jwks(
    start_gateway: StartGateway, signing_key: SigningKey
) -> None:
    jwks = JWKSServer([signing_key]).start()
    try:
        gateway = start_gateway(jwks_url=jwks.url, jwks_min_refetch_seconds=0)
        async with gateway as url, httpx.AsyncClient(base_url=url) as client:
            statuses = [(await client.get("/readyz")).status_code for _ in range(20)]
    finally:
        jwks.stop()

    assert statuses == [200] * 20
    # The gateway loaded its keys once, on its own; callers only read that state.
    assert jwks.request_count == 1


async def test_readyz_reports_the_keys_the_verifier_loaded_in_the_background(
    start_gateway: StartGateway, signing_key: SigningKey
) -> None:
    jwks = JWKSServer([signing_key]).start()
    try:
        gateway = start_gateway(jwks_url=jwks.url)
        async with gateway as url, httpx.AsyncClient(base_url=url) as client:
            ready = await client.get("/readyz")
            token = sign_token(signing_key, issuer=TEST_ISSUER, audience=TEST_AUDIENCE)
            me = await client.get(
                "/api/v1/accounts/me/", headers={"authorization": f"Bearer {token}"}
            )
    finally:
        jwks.stop()

    assert ready.status_code == 200
    assert me.status_code == 200
    # The keys readiness saw are the verifier's: the first token needed no fetch of its own.
    assert jwks.request_count == 1


class FlakyCluster:
    """A Redis Cluster client whose first ``failures`` PINGs fail the way redis-py sometimes
    does (a RuntimeError from a connection closed under it), then answers."""

    def __init__(self, failures: int = 1) -> None:
        self.failures = failures
        self.pings = 0

    async def ping(self) -> bool:
        self.pings += 1
        if self.pings <= self.failures:
            raise RuntimeError("connection closed under the command")
        return True


async def test_one_failed_ping_is_retried_within_the_check(signing_key: SigningKey) -> None:
    jwks = JWKSServer([signing_key]).start()
    cluster = FlakyCluster(failures=1)
    readiness = Readiness(
        cast(RedisCluster, cluster), AsyncJWKSClient(jwks.url), {}, interval_seconds=30
    )
    readiness.start()
    try:
        answer = await readiness.answer("/readyz")
    finally:
        await readiness.stop()
        jwks.stop()

    assert answer.status_code == 200
    assert cluster.pings == 2


async def test_readiness_keeps_checking_after_an_unexpected_redis_error(
    signing_key: SigningKey,
) -> None:
    jwks = JWKSServer([signing_key]).start()
    cluster = FlakyCluster(failures=PING_ATTEMPTS)  # the whole first check fails
    readiness = Readiness(
        cast(RedisCluster, cluster),
        AsyncJWKSClient(jwks.url),
        {},
        interval_seconds=0.05,
    )
    readiness.start()
    try:
        async with asyncio.timeout(5):
            while cluster.pings < PING_ATTEMPTS + 1:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)  # the second round's result is in
        answer = await readiness.answer("/readyz")
    finally:
        await readiness.stop()
        jwks.stop()

    assert answer.status_code == 200


class CancelAbsorbingKeys(AsyncJWKSClient):
    """Finishes a fetch whatever cancels it, as an HTTP client's shielded section can: the
    cancel that stops readiness is then absorbed (seen once in CI as a hung shutdown)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.fetching = asyncio.Event()

    async def _fetch(self) -> None:
        self.fetching.set()
        try:
            await asyncio.sleep(0.2)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            assert task is not None
            task.uncancel()
        await super()._fetch()


async def test_readiness_stops_even_when_a_check_absorbs_the_cancel(
    signing_key: SigningKey,
) -> None:
    jwks = JWKSServer([signing_key]).start()
    keys = CancelAbsorbingKeys(jwks.url)
    cluster = FlakyCluster()
    readiness = Readiness(cast(RedisCluster, cluster), keys, {}, interval_seconds=0.05)
    readiness.start()
    async with asyncio.timeout(5):
        await keys.fetching.wait()

    stopping = asyncio.create_task(readiness.stop())
    done, _ = await asyncio.wait({stopping}, timeout=1)
    pings_at_stop = cluster.pings
    await asyncio.sleep(0.2)
    stopping.cancel()  # frees the test only where the stop hung
    jwks.stop()

    assert stopping in done
    assert cluster.pings == pings_at_stop
