from __future__ import annotations

import json

import aiohttp
import httpx
import pytest

from tests.conftest import ALLOWED_ORIGIN, PROXY_SECRET, MakeToken, bearer, upstream_headers_of

STRICT_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


@pytest.mark.parametrize(
    "path", ["/healthz", "/api/v1/content/articles/", "/api/nowhere/", "/api/v1/accounts/me/"]
)
async def test_every_response_carries_the_security_headers(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)

    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers.get_list("x-frame-options") == ["DENY"]
    assert response.headers["content-security-policy"] == STRICT_POLICY
    assert response.headers.get_list("x-request-id") != []
    assert len(response.headers.get_list("x-request-id")) == 1


async def test_an_upstream_html_page_keeps_its_own_policy(
    client: httpx.AsyncClient, make_token: MakeToken
) -> None:
    response = await client.get(
        "/api/v1/content/docs/", headers={"authorization": f"Bearer {make_token()}"}
    )

    assert response.headers.get_list("content-security-policy") == ["default-src 'self'"]
    assert response.headers.get_list("x-frame-options") == ["DENY"]


async def test_preflight_from_an_allowed_origin_is_answered_at_the_edge(
    client: httpx.AsyncClient,
) -> None:
    response = await client.options(
        "/api/v1/accounts/me/",
        headers={
            "origin": ALLOWED_ORIGIN,
            "access-control-request-method": "PATCH",
            "access-control-request-headers": "authorization, content-type",
        },
    )

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "PATCH" in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"]
    assert response.headers["access-control-max-age"] == "600"
    assert response.headers["vary"] == "Origin"


async def test_preflight_from_another_origin_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.options(
        "/api/v1/accounts/me/",
        headers={"origin": "https://evil.example", "access-control-request-method": "GET"},
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "access-control-allow-origin" not in response.headers


async def test_simple_request_from_an_allowed_origin_gets_cors_headers(
    client: httpx.AsyncClient,
) -> None:
    allowed = await client.get("/api/v1/content/articles/", headers={"origin": ALLOWED_ORIGIN})
    other = await client.get(
        "/api/v1/content/articles/", headers={"origin": "https://evil.example"}
    )

    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "x-request-id" in allowed.headers["access-control-expose-headers"]
    assert "access-control-allow-origin" not in other.headers


async def test_upstreams_get_the_proxy_secret_and_the_clients_forwarding_claims_never(
    client: httpx.AsyncClient, make_token: MakeToken
) -> None:
    response = await client.get(
        "/api/v1/content/articles/",
        headers={
            **bearer(make_token()),
            "host": "api.platform.example",
            "x-gateway-proxy-secret": "guessed",
            "x-user-id": "admin",
            "x-user-roles": "admin",
            "x-forwarded-for": "6.6.6.6, 7.7.7.7",
            "x-forwarded-ssl": "on",
            "x-forwarded-protocol": "https",
            "x-forwarded-port": "443",
            "x-forwarded-prefix": "/evil",
            "x-forwarded-server": "evil",
            "x-real-ip": "6.6.6.6",
            "front-end-https": "on",
            "x-url-scheme": "https",
            "forwarded": "for=6.6.6.6;proto=https",
        },
    )

    seen = upstream_headers_of(response)
    assert seen["x-gateway-proxy-secret"] == [PROXY_SECRET]
    assert seen["x-forwarded-for"] == ["127.0.0.1"]
    assert seen["x-forwarded-host"] == ["api.platform.example"]
    assert seen["x-forwarded-proto"] == ["http"]
    assert seen["host"] != ["api.platform.example"]
    for name in (
        "x-user-id",
        "x-user-roles",
        "x-forwarded-ssl",
        "x-forwarded-protocol",
        "x-forwarded-port",
        "x-forwarded-prefix",
        "x-forwarded-server",
        "x-real-ip",
        "front-end-https",
        "x-url-scheme",
        "forwarded",
    ):
        assert name not in seen


async def test_websocket_upstream_gets_the_proxy_secret_and_forwarding_headers(
    gateway: str, make_token: MakeToken
) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            gateway.replace("http://", "ws://") + "/ws/notifications/",
            headers={
                **bearer(make_token()),
                "x-gateway-proxy-secret": "guessed",
                "x-forwarded-ssl": "on",
            },
        ) as ws,
    ):
        hello = json.loads((await ws.receive()).data)

    assert hello["headers"]["x-gateway-proxy-secret"] == PROXY_SECRET
    assert hello["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert hello["headers"]["x-forwarded-proto"] == "http"
    assert "x-forwarded-ssl" not in hello["headers"]
