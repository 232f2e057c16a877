from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

from platform_common.testing.jwt import TEST_AUDIENCE, TEST_ISSUER, SigningKey, sign_token
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
        response = await client.get("/api/v1/content/articles/")

    assert statuses == [200] * 5
    assert elapsed < 2
    # Nothing was counted, so nothing is claimed about the budget.
    assert "ratelimit-remaining" not in response.headers


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


async def test_credential_routes_are_limited_per_ip_whatever_token_is_attached(
    start_gateway: StartGateway, make_token: MakeToken
) -> None:
    gateway = start_gateway(rate_limit_credentials=2, rate_limit_authenticated=100)
    async with gateway as url, httpx.AsyncClient(base_url=url) as client:
        # A fresh self-registered token per attempt must not buy a fresh login budget.
        logins = await statuses(
            client, "POST", "/api/v1/accounts/token/", tokens=make_token, count=3
        )

    assert logins == [200, 200, 429]


async def test_a_flood_of_forged_tokens_is_limited_per_ip_before_verification(
    start_gateway: StartGateway,
) -> None:
    forger = SigningKey.generate()
    gateway = start_gateway(rate_limit_token_checks=3, rate_limit_anonymous=100)
    async with gateway as url, httpx.AsyncClient(base_url=url) as client:
        answers = await statuses(
            client, "GET", "/api/v1/accounts/me/", tokens=lambda: forged(forger), count=5
        )

    assert answers == [401, 401, 401, 429, 429]


async def test_a_known_good_token_does_not_use_the_token_check_budget(
    start_gateway: StartGateway, make_token: MakeToken
) -> None:
    token = {"authorization": f"Bearer {make_token()}"}
    gateway = start_gateway(rate_limit_token_checks=1, rate_limit_authenticated=100)
    async with gateway as url, httpx.AsyncClient(base_url=url) as client:
        statuses = [
            (await client.get("/api/v1/accounts/me/", headers=token)).status_code for _ in range(4)
        ]

    assert statuses == [200] * 4


async def test_limited_answers_carry_ratelimit_headers_on_success_and_on_429(
    start_gateway: StartGateway,
) -> None:
    async with (
        start_gateway(rate_limit_anonymous=2, rate_limit_window_seconds=60) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        answers = [await client.get("/api/v1/content/articles/") for _ in range(3)]

    first, second, limited = answers
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    for answer in answers:
        assert answer.headers["ratelimit-limit"] == "2"
        assert answer.headers["ratelimit-policy"] == "2;w=60"
        assert 1 <= int(answer.headers["ratelimit-reset"]) <= 60
    assert first.headers["ratelimit-remaining"] == "1"
    assert second.headers["ratelimit-remaining"] == "0"
    assert limited.headers["ratelimit-remaining"] == "0"
    assert limited.headers["retry-after"] == limited.headers["ratelimit-reset"]


async def test_ratelimit_headers_name_the_tightest_of_several_limits(
    start_gateway: StartGateway,
) -> None:
    gateway = start_gateway(rate_limit_credentials=3, rate_limit_anonymous=50)
    async with gateway as url, httpx.AsyncClient(base_url=url) as client:
        login = await client.post("/api/v1/accounts/token/")

    assert login.status_code == 200
    assert login.headers["ratelimit-limit"] == "3"
    assert login.headers["ratelimit-remaining"] == "2"
    assert login.headers["ratelimit-policy"] == "50;w=60, 3;w=60"


def forged(key: SigningKey) -> str:
    """A well-formed token no verifier accepts: each one costs an RSA check."""
    return sign_token(key, issuer=TEST_ISSUER, audience=TEST_AUDIENCE)


async def statuses(
    client: httpx.AsyncClient, method: str, path: str, *, tokens: Callable[[], str], count: int
) -> list[int]:
    """The statuses of ``count`` requests, each with a new token from ``tokens``."""
    headers = ({"authorization": f"Bearer {tokens()}"} for _ in range(count))
    return [(await client.request(method, path, headers=each)).status_code for each in headers]


async def test_a_clients_window_starts_with_its_first_request_not_on_the_clock(
    start_gateway: StartGateway,
) -> None:
    window = 2
    gateway = start_gateway(rate_limit_anonymous=2, rate_limit_window_seconds=window)
    async with gateway as url, httpx.AsyncClient(base_url=url) as client:
        await client.get("/healthz")  # connected, so the requests below are quick
        # Just before a multiple of the window on the clock: a window aligned to the clock
        # would end right after the first request and forget it.
        await asyncio.sleep((window - time.time() % window - 0.05) % window)
        first = await client.get("/api/v1/content/articles/")
        await asyncio.sleep(0.1)
        rest = [await client.get("/api/v1/content/articles/") for _ in range(2)]

    assert [first.status_code] + [answer.status_code for answer in rest] == [200, 200, 429]
    assert rest[-1].headers["retry-after"] == rest[-1].headers["ratelimit-reset"]
    assert 1 <= int(rest[-1].headers["retry-after"]) <= window
