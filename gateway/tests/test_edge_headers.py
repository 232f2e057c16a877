from __future__ import annotations

import httpx
import pytest

from tests.conftest import ALLOWED_ORIGIN, MakeToken

STRICT_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


@pytest.mark.parametrize(
    "path", ["/healthz", "/api/content/articles/", "/api/nowhere/", "/api/accounts/me/"]
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
        "/api/content/docs/", headers={"authorization": f"Bearer {make_token()}"}
    )

    assert response.headers.get_list("content-security-policy") == ["default-src 'self'"]
    assert response.headers.get_list("x-frame-options") == ["DENY"]


async def test_preflight_from_an_allowed_origin_is_answered_at_the_edge(
    client: httpx.AsyncClient,
) -> None:
    response = await client.options(
        "/api/accounts/me/",
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
        "/api/accounts/me/",
        headers={"origin": "https://evil.example", "access-control-request-method": "GET"},
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "access-control-allow-origin" not in response.headers


async def test_simple_request_from_an_allowed_origin_gets_cors_headers(
    client: httpx.AsyncClient,
) -> None:
    allowed = await client.get("/api/content/articles/", headers={"origin": ALLOWED_ORIGIN})
    other = await client.get("/api/content/articles/", headers={"origin": "https://evil.example"})

    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "x-request-id" in allowed.headers["access-control-expose-headers"]
    assert "access-control-allow-origin" not in other.headers
