"""Forwarded headers count only when the gateway's secret comes with them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.test import RequestFactory
from pytest_django import Settings
from rest_framework.test import APIClient

from platform_common.proxy import TrustedProxyMiddleware, client_ip
from tests.testapp.models import Note

GATEWAY_HEADERS = {
    "X-Forwarded-For": "198.51.100.7",
    "X-Forwarded-Host": "api.example.com",
    "X-Forwarded-Proto": "https",
}


@pytest.fixture(autouse=True)
def _public_host_allowed(settings: Settings) -> None:
    # The forwarded host is still checked: a service lists the public host name too.
    settings.ALLOWED_HOSTS = ["testserver", "api.example.com"]


def gateway_headers(secret: str) -> dict[str, str]:
    return {**GATEWAY_HEADERS, "X-Gateway-Proxy-Secret": secret}


def seen_by_view(**headers: str) -> HttpRequest:
    """The request as a view sees it after the middleware."""
    seen: list[HttpRequest] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse()

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", headers=headers)
    TrustedProxyMiddleware(view)(request)
    return seen[0]


def test_the_proxy_middleware_runs_first() -> None:
    assert settings.MIDDLEWARE[0] == "platform_common.proxy.TrustedProxyMiddleware"


async def test_the_proxy_middleware_serves_async_stacks_too() -> None:
    async def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(client_ip(request))

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", headers=GATEWAY_HEADERS)
    pending = TrustedProxyMiddleware(view)(request)
    assert not isinstance(pending, HttpResponseBase)  # a coroutine for the handler to await
    response = await pending

    assert isinstance(response, HttpResponse)
    assert response.content == b"10.0.0.2"


def test_a_direct_caller_cannot_choose_its_address_host_or_scheme() -> None:
    request = seen_by_view(
        **GATEWAY_HEADERS,
        **{"X-Forwarded-Ssl": "on", "Forwarded": "for=6.6.6.6", "X-Real-IP": "6.6.6.6"},
    )

    assert client_ip(request) == "10.0.0.2"
    assert request.build_absolute_uri("/x/") == "http://testserver/x/"
    forwarding = [name for name in request.META if "FORWARD" in name or "REAL_IP" in name]
    assert forwarding == []


def test_a_wrong_secret_counts_as_a_direct_caller() -> None:
    request = seen_by_view(**gateway_headers("not-the-secret"))

    assert client_ip(request) == "10.0.0.2"
    assert request.build_absolute_uri("/x/") == "http://testserver/x/"
    assert "HTTP_X_GATEWAY_PROXY_SECRET" not in request.META


def test_the_gateway_secret_makes_the_forwarded_address_host_and_scheme_count() -> None:
    request = seen_by_view(**gateway_headers(settings.GATEWAY_PROXY_SECRET))

    assert client_ip(request) == "198.51.100.7"
    assert request.build_absolute_uri("/x/") == "https://api.example.com/x/"
    assert "HTTP_X_GATEWAY_PROXY_SECRET" not in request.META


def test_a_request_that_skipped_the_middleware_is_not_trusted() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", headers=GATEWAY_HEADERS)

    assert client_ip(request) == "10.0.0.2"


@pytest.mark.django_db
def test_pagination_links_point_at_the_gateway_only_when_it_sent_the_request(
    api_client: APIClient,
) -> None:
    Note.objects.bulk_create(Note(title=f"note {index}") for index in range(3))

    direct = api_client.get("/api/notes/", {"page_size": 1}, headers=GATEWAY_HEADERS)
    via_gateway = api_client.get(
        "/api/notes/", {"page_size": 1}, headers=gateway_headers(settings.GATEWAY_PROXY_SECRET)
    )

    assert direct.json()["next"].startswith("http://testserver/api/notes/?")
    assert via_gateway.json()["next"].startswith("https://api.example.com/api/notes/?")
