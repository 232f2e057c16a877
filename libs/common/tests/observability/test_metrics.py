"""RED metrics recorded by the middleware and served on /metrics."""

import pytest
from django.test import AsyncClient
from prometheus_client import REGISTRY
from rest_framework.test import APIClient

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
