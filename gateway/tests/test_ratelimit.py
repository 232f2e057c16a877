from __future__ import annotations

import time

import httpx

from tests.conftest import MakeToken, StartGateway
from tests.servers import closed_port


async def test_anonymous_clients_are_limited_per_ip(start_gateway: StartGateway) -> None:
    async with (
        start_gateway(rate_limit_anonymous=3) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        statuses = [(await client.get("/api/v1/content/articles/")).status_code for _ in range(4)]
        limited = await client.get("/api/v1/content/articles/")

    assert statuses == [200, 200, 200, 429]
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60


async def test_authenticated_clients_are_limited_per_user(
    start_gateway: StartGateway, make_token: MakeToken
) -> None:
    alice = {"authorization": f"Bearer {make_token()}"}
    bob = {"authorization": f"Bearer {make_token()}"}

    gateway = start_gateway(rate_limit_authenticated=2, rate_limit_anonymous=1)
    async with gateway as url, httpx.AsyncClient(base_url=url) as client:
        alice_statuses = [
            (await client.get("/api/v1/accounts/me/", headers=alice)).status_code for _ in range(3)
        ]
        bob_status = (await client.get("/api/v1/accounts/me/", headers=bob)).status_code

    assert alice_statuses == [200, 200, 429]
    assert bob_status == 200


async def test_redis_down_fails_open_without_stalling(
    start_gateway: StartGateway, make_token: MakeToken
) -> None:
    dead_cluster = f"redis://127.0.0.1:{closed_port()}/0"

    gateway = start_gateway(redis_cluster_url=dead_cluster, rate_limit_anonymous=1)
    async with gateway as url, httpx.AsyncClient(base_url=url) as client:
        started = time.monotonic()
        statuses = [(await client.get("/api/v1/content/articles/")).status_code for _ in range(5)]
        elapsed = time.monotonic() - started

    assert statuses == [200] * 5
    assert elapsed < 2


async def test_credential_routes_have_a_tighter_limit_of_their_own(
    start_gateway: StartGateway,
) -> None:
    gateway = start_gateway(rate_limit_credentials=2, rate_limit_anonymous=10)
    async with gateway as url, httpx.AsyncClient(base_url=url) as client:
        logins = [(await client.post("/api/v1/accounts/token/")).status_code for _ in range(3)]
        refresh = await client.post("/api/v1/accounts/token/refresh/")
        reading = await client.get("/api/v1/content/articles/")

    assert logins == [200, 200, 429]
    assert refresh.status_code == 429
    assert reading.status_code == 200
