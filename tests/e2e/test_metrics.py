"""Every process of the stack serves /metrics where the platform says it does, and the
series move with real traffic: requests through the gateway, an event from accounts to the
content and notifications workers, a login that reads the accounts cache."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

import httpx
import pytest
from gateway_client import API, register_and_login

from platform_common.testing.metrics import Scrape, scrape

pytestmark = pytest.mark.e2e

REGISTERED = "accounts.user.registered"
CONSUME_TASK = "platform_common.events.consume"
GROUPS = {"accounts", "content", "notifications", "schema", "docs", "health", "unmatched"}
# dev/Procfile: the web processes on their own port, everything else on METRICS_PORT.
WEB = {"accounts": 8001, "content": 8002, "notifications": 8003}
WORKERS = {"accounts": 9111, "content": 9121, "notifications": 9131}
RELAYS = {"accounts": 9112, "content": 9122, "notifications": 9132}
GATEWAY_METRICS = 9100


def metrics(port: int) -> Scrape:
    return scrape(f"http://127.0.0.1:{port}/metrics")


def eventually(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not seen in time"
        time.sleep(0.5)


def consumed_an_event(service: str) -> bool:
    return (
        metrics(WORKERS[service]).total(
            "celery_tasks_total", service=service, task=CONSUME_TASK, state="succeeded"
        )
        >= 1
    )


def test_every_process_serves_its_series_after_real_traffic(client: httpx.Client) -> None:
    register_and_login(client, "metrics")
    client.post(f"{API}/accounts/token/", json={"email": "nobody@example.com", "password": "x"})
    client.get(f"{API}/content/articles/00000000-0000-0000-0000-000000000000/")

    gateway = metrics(GATEWAY_METRICS)
    assert client.get("/metrics").status_code == 404  # never on the public port
    assert gateway.label_values("http_requests_total", "route", service="gateway") <= GROUPS
    assert gateway.total("http_requests_total", service="gateway", route="accounts") >= 3
    assert gateway.total("gateway_upstream_duration_seconds_count", upstream="accounts") >= 3
    assert gateway.value("gateway_breaker_state", service="gateway", upstream="content") == 0

    accounts = metrics(WEB["accounts"])
    assert accounts.total("cache_requests_total", service="accounts") >= 1
    for service, port in WEB.items():
        assert metrics(port).value("http_requests_in_flight", service=service) is not None

    eventually(
        lambda: (
            metrics(RELAYS["accounts"]).total(
                "events_published_total", service="accounts", type=REGISTERED
            )
            >= 1
        )
    )
    for service in ("content", "notifications"):
        eventually(functools.partial(consumed_an_event, service))
        worker = metrics(WORKERS[service])
        assert worker.total("events_consumed_total", service=service, type=REGISTERED) >= 1
        queue = f"{service}.events"
        assert (
            worker.value("events_consumer_lag_messages", service=service, queue=queue) is not None
        )
        assert worker.value("events_dead_letter_parked", service=service) is not None
    for service, port in RELAYS.items():
        assert metrics(port).value("events_outbox_pending", service=service) is not None
    assert (
        metrics(WORKERS["accounts"]).value("events_dead_letter_parked", service="accounts")
        is not None
    )
