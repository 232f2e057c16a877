"""The circuit breaker: unit-level state machine, then end to end through the gateway."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx

from gateway.breaker import BreakerState, CircuitBreaker
from tests.conftest import GatewayClient, MakeToken, StartGateway, bearer
from tests.servers import RawUpstream, raw_upstream, serve
from tests.upstreams import Hits, flaky_app


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@contextlib.asynccontextmanager
async def broken_content(
    gateway_client: GatewayClient, **changes: Any
) -> AsyncIterator[tuple[RawUpstream, httpx.AsyncClient]]:
    """A gateway whose content upstream drops every request (``upstream.broken``)."""
    async with raw_upstream() as upstream, gateway_client(upstream.url, **changes) as client:
        yield upstream, client


def breaker(clock: Clock, threshold: int = 3) -> CircuitBreaker:
    return CircuitBreaker(threshold=threshold, reset_seconds=10, window_seconds=30, clock=clock)


def test_opens_after_threshold_consecutive_failures_and_fails_fast() -> None:
    clock = Clock()
    b = breaker(clock)
    for _ in range(2):
        b.record_failure()
        assert b.retry_after() is None
    b.record_failure()

    assert b.state is BreakerState.OPEN
    assert b.retry_after() == 10
    clock.now += 7.2
    assert b.retry_after() == 3


def test_a_success_resets_the_streak() -> None:
    b = breaker(Clock())
    b.record_failure()
    b.record_failure()
    b.record_success()
    b.record_failure()
    b.record_failure()

    assert b.state is BreakerState.CLOSED


def test_failures_further_apart_than_the_window_do_not_add_up() -> None:
    clock = Clock()
    b = breaker(clock)
    b.record_failure()
    b.record_failure()
    clock.now += 31
    b.record_failure()

    assert b.state is BreakerState.CLOSED
    assert b.describe() == {"state": "closed", "consecutive_failures": 1}


def test_half_open_lets_one_probe_through_and_its_success_closes() -> None:
    clock = Clock()
    b = breaker(clock, threshold=1)
    b.record_failure()
    clock.now += 10

    assert b.retry_after() is None  # the probe
    assert b.state is BreakerState.HALF_OPEN
    assert b.retry_after() is not None  # everyone else waits for it
    b.record_success()
    assert b.describe() == {"state": "closed", "consecutive_failures": 0}
    assert b.retry_after() is None


def test_a_failed_probe_opens_again_for_the_full_cooldown() -> None:
    clock = Clock()
    b = breaker(clock, threshold=1)
    b.record_failure()
    clock.now += 10
    assert b.retry_after() is None
    b.record_failure()

    assert b.state is BreakerState.OPEN
    assert b.retry_after() == 10


def test_a_probe_that_never_reports_frees_its_slot_after_the_cooldown() -> None:
    clock = Clock()
    b = breaker(clock, threshold=1)
    b.record_failure()
    clock.now += 10
    assert b.retry_after() is None
    clock.now += 10

    assert b.retry_after() is None


async def test_open_breaker_answers_503_without_touching_the_upstream(
    gateway_client: GatewayClient, make_token: MakeToken
) -> None:
    headers = bearer(make_token())
    async with broken_content(
        gateway_client, breaker_failure_threshold=3, breaker_reset_seconds=30
    ) as (upstream, client):
        failed = [await client.post("/api/v1/content/x/", headers=headers) for _ in range(3)]
        seen = upstream.requests
        started = time.monotonic()
        fast = await client.get("/api/v1/content/x/", headers=headers)
        elapsed = time.monotonic() - started
        other = await client.get("/api/v1/accounts/me/", headers=headers)
        ready = await client.get("/readyz")

    assert [response.status_code for response in failed] == [502, 502, 502]
    assert seen == 3
    assert upstream.requests == 3
    assert fast.status_code == 503
    assert fast.json()["code"] == "upstream_unavailable"
    assert fast.headers["retry-after"] in ("29", "30")
    assert elapsed < 0.5
    assert other.status_code == 200  # one breaker per upstream
    assert ready.status_code == 200  # informational only
    assert ready.json()["breakers"]["content"]["state"] == "open"
    assert ready.json()["breakers"]["accounts"]["state"] == "closed"


async def test_half_open_probe_closes_the_breaker_when_the_upstream_is_back(
    gateway_client: GatewayClient, make_token: MakeToken
) -> None:
    headers = bearer(make_token())
    async with broken_content(
        gateway_client, breaker_failure_threshold=2, breaker_reset_seconds=0.5
    ) as (upstream, client):
        for _ in range(2):
            await client.post("/api/v1/content/x/", headers=headers)
        assert (await client.post("/api/v1/content/x/", headers=headers)).status_code == 503
        assert upstream.requests == 2

        await asyncio.sleep(0.6)  # cooldown over, upstream still broken: probe fails
        probe = await client.post("/api/v1/content/x/", headers=headers)
        assert probe.status_code == 502
        assert upstream.requests == 3
        assert (await client.post("/api/v1/content/x/", headers=headers)).status_code == 503

        upstream.broken = False
        await asyncio.sleep(0.6)
        healed = await client.post("/api/v1/content/x/", headers=headers)
        after = await client.post("/api/v1/content/x/", headers=headers)
        state = (await client.get("/readyz")).json()["breakers"]["content"]

    assert healed.status_code == 200
    assert healed.text == "ok"
    assert after.status_code == 200
    assert upstream.requests == 5
    assert state == {"state": "closed", "consecutive_failures": 0}


async def test_timeouts_count_as_failures(
    start_gateway: StartGateway, make_token: MakeToken
) -> None:
    headers = {"authorization": f"Bearer {make_token()}"}
    async with (
        start_gateway(breaker_failure_threshold=2) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        slow = [await client.get("/api/v1/content/slow/", headers=headers) for _ in range(2)]
        after = await client.get("/api/v1/content/articles/", headers=headers)

    assert [response.status_code for response in slow] == [504, 504]
    assert after.status_code == 503
    assert after.json()["code"] == "upstream_unavailable"


async def test_upstream_5xx_answers_do_not_trip_the_breaker(
    start_gateway: StartGateway, settings_upstreams: dict[str, str], make_token: MakeToken
) -> None:
    headers = {"authorization": f"Bearer {make_token()}"}
    hits = Hits()
    async with serve(flaky_app(hits)) as flaky:
        upstreams = {**settings_upstreams, "content": flaky}
        async with (
            start_gateway(upstreams=upstreams, breaker_failure_threshold=2) as url,
            httpx.AsyncClient(base_url=url) as client,
        ):
            answers = [
                await client.get("/api/v1/content/x/?fail=9&status=500", headers=headers)
                for _ in range(4)
            ]

    assert [response.status_code for response in answers] == [500] * 4
    assert hits.by_path["/api/v1/content/x/"] == 4
