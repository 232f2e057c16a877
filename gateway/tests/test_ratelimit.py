from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
from redis.asyncio.cluster import RedisCluster

from gateway.config import Settings
from platform_common.testing.jwt import TEST_AUDIENCE, TEST_ISSUER, SigningKey, sign_token
from tests.conftest import REDIS_CLUSTER_URL, MakeToken, StartGateway
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


async def test_one_gateway_counts_a_concurrent_burst_exactly(
    start_gateway: StartGateway,
) -> None:
    async with (
        start_gateway(rate_limit_anonymous=10) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        await ready(client)
        answers = await asyncio.gather(
            *(client.get("/api/v1/content/articles/") for _ in range(30))
        )
        # Counted locally now (the window's count is known): still exact.
        later = [(await client.get("/api/v1/content/articles/")).status_code for _ in range(3)]

    assert sorted(answer.status_code for answer in answers) == [200] * 10 + [429] * 20
    assert later == [429] * 3


async def test_two_gateways_share_a_limit_within_the_stated_tolerance(
    start_gateway: StartGateway, settings: Settings
) -> None:
    """Each gateway counts locally and reconciles every 0.1 s: together they admit the
    limit, plus at most what a client sent to the other one in the last 0.3 s."""
    limit, per_second, seconds = 30, 50, 1.0
    sent = int(per_second * seconds)

    async def stream(client: httpx.AsyncClient, url: str) -> list[int]:
        loop = asyncio.get_running_loop()
        started, answers = loop.time(), []
        for index in range(sent):
            await asyncio.sleep(max(0.0, started + index / per_second - loop.time()))
            answers.append((await client.get(f"{url}/api/v1/content/articles/")).status_code)
        return answers

    async with (
        start_gateway(rate_limit_anonymous=limit) as first,
        start_gateway(rate_limit_anonymous=limit) as second,
        httpx.AsyncClient() as client,
    ):
        await asyncio.gather(ready(client, first), ready(client, second))
        answers = await asyncio.gather(stream(client, first), stream(client, second))
        await asyncio.sleep(0.3)  # both have reconciled
        after = [
            (await client.get(f"{url}/api/v1/content/articles/")).status_code
            for url in (first, second)
        ]
    admitted = sum(status == 200 for statuses in answers for status in statuses)
    tolerance = int(per_second * 0.3)

    assert limit <= admitted <= limit + tolerance
    assert after == [429, 429]
    # Every request either gateway counted reached the cluster.
    cluster = RedisCluster.from_url(REDIS_CLUSTER_URL)
    try:
        counted = await cluster.get(f"{settings.rate_limit_key_prefix}:{{ip:127.0.0.1}}:anonymous")
    finally:
        await cluster.aclose()
    assert counted is not None
    assert int(counted) == 2 * sent + 2


async def ready(client: httpx.AsyncClient, url: str = "") -> None:
    """Until the gateway's cluster client is connected (its first commands must not race)."""
    for _ in range(50):
        if (await client.get(f"{url}/readyz")).status_code == 200:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the gateway never became ready")


async def test_mail_routes_share_a_stricter_limit_than_other_credential_routes(
    start_gateway: StartGateway,
) -> None:
    gateway = start_gateway(rate_limit_mail=2, rate_limit_credentials=10)
    async with gateway as url, httpx.AsyncClient(base_url=url) as client:
        resets = [
            (await client.post("/api/v1/accounts/password/reset/")).status_code for _ in range(2)
        ]
        resend = await client.post("/api/v1/accounts/email/verify/resend/")
        login = await client.post("/api/v1/accounts/token/")

    assert resets == [200, 200]
    assert resend.status_code == 429
    assert resend.headers["content-type"] == "application/problem+json"
    assert resend.json()["code"] == "rate_limited"
    assert login.status_code == 200


async def test_the_mfa_verify_route_has_a_stricter_limit_per_ip_whatever_token(
    start_gateway: StartGateway, make_token: MakeToken
) -> None:
    gateway = start_gateway(rate_limit_mfa=2, rate_limit_credentials=10)
    async with gateway as url, httpx.AsyncClient(base_url=url) as client:
        verifies = await statuses(
            client, "POST", "/api/v1/accounts/token/mfa/", tokens=make_token, count=3
        )
        login = await client.post("/api/v1/accounts/token/")

    assert verifies == [200, 200, 429]
    assert login.status_code == 200
