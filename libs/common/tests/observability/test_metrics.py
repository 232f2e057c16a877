"""RED metrics recorded by the middleware and served on /metrics."""

import uuid
from typing import Any

import httpx
import pytest
from django.test import AsyncClient
from prometheus_client import REGISTRY
from rest_framework.test import APIClient

from platform_common.testing.metrics import scrape

SERVICE = "platform_common_tests"


def requests_total(method: str, route: str, status: str) -> float:
    labels = {"service": SERVICE, "method": method, "route": route, "status": status}
    return REGISTRY.get_sample_value("http_requests_total", labels) or 0.0


def duration_count(method: str, route: str) -> float:
    labels = {"service": SERVICE, "method": method, "route": route}
    return REGISTRY.get_sample_value("http_request_duration_seconds_count", labels) or 0.0


def test_requests_are_counted_by_route_template_and_status(api_client: APIClient) -> None:
    route = "/api/errors/<str:kind>/"
    before = requests_total("GET", route, "409"), duration_count("GET", route)

    api_client.get("/api/errors/application/")
    api_client.get("/api/errors/application/")

    after = requests_total("GET", route, "409"), duration_count("GET", route)
    assert (after[0] - before[0], after[1] - before[1]) == (2, 2)


def test_unmatched_paths_share_one_label_value(api_client: APIClient) -> None:
    before = requests_total("GET", "unmatched", "404")

    api_client.get("/scanner/probe-1")
    api_client.get("/scanner/probe-2")

    assert requests_total("GET", "unmatched", "404") - before == 2


def test_unknown_methods_collapse_to_other(api_client: APIClient) -> None:
    before = requests_total("OTHER", "/healthz", "405")

    api_client.generic("BREW", "/healthz")

    assert requests_total("OTHER", "/healthz", "405") - before == 1


async def test_async_requests_are_counted(async_client: AsyncClient) -> None:
    before = requests_total("GET", "/healthz", "200")

    await async_client.get("/healthz")

    assert requests_total("GET", "/healthz", "200") - before == 1


@pytest.mark.django_db
def test_metrics_endpoint_serves_the_exposition_format(api_client: APIClient) -> None:
    api_client.get("/healthz")

    response = api_client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b'http_requests_total{method="GET",route="/healthz"' in response.content


@pytest.fixture
def metrics_url(live_server: Any) -> str:
    return f"{live_server.url}/metrics"


@pytest.mark.django_db(transaction=True)
def test_many_ids_make_one_route_label_over_http(live_server: Any, metrics_url: str) -> None:
    route = "/api/notes/<uuid:note_id>/"
    before = scrape(metrics_url)

    for _ in range(20):
        httpx.get(f"{live_server.url}/api/notes/{uuid.uuid4()}/")

    after = scrape(metrics_url)
    routes = after.label_values("http_requests_total", "route", service=SERVICE)
    assert not any("-" in route for route in routes)  # no raw uuid anywhere
    assert after.total("http_requests_total", service=SERVICE, route=route) == (
        before.total("http_requests_total", service=SERVICE, route=route) + 20
    )


@pytest.mark.django_db(transaction=True)
def test_requests_in_flight_count_the_scrape_itself_and_nothing_left_over(
    metrics_url: str,
) -> None:
    for _ in range(3):
        httpx.get(metrics_url.replace("/metrics", "/healthz"))

    # The scrape is the one request being handled while it renders.
    assert scrape(metrics_url).value("http_requests_in_flight", service=SERVICE) == 1
    assert REGISTRY.get_sample_value("http_requests_in_flight", {"service": SERVICE}) == 0
