"""Routing by versioned prefix (``/api/v1/<service>/``) and the gateway's own paths."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import MakeToken, bearer


async def test_versioned_prefix_routes_to_the_service_with_the_path_unchanged(
    client: httpx.AsyncClient, make_token: MakeToken
) -> None:
    response = await client.get("/api/v1/accounts/users/a%2Fb/?q=1", headers=bearer(make_token()))

    assert response.status_code == 200
    assert response.json()["raw_path"] == "/api/v1/accounts/users/a%2Fb/"
    assert response.json()["query"] == "q=1"


@pytest.mark.parametrize(
    "path",
    [
        "/api/accounts/me/",
        "/api/v2/accounts/me/",
        "/api/v1/billing/invoices/",
        "/api/v1/accounts",
        "/api/v1/",
    ],
)
async def test_unversioned_or_unknown_versions_are_404(
    client: httpx.AsyncClient, make_token: MakeToken, path: str
) -> None:
    response = await client.get(path, headers=bearer(make_token()))

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/api/schema/", "/api/v1/schema/"),
        ("/api/docs/", "/api/v1/docs/"),
        ("/api/schema/?format=json", "/api/v1/schema/?format=json"),
    ],
)
async def test_unversioned_documents_redirect_permanently(
    client: httpx.AsyncClient, old: str, new: str
) -> None:
    response = await client.get(old)

    assert response.status_code == 308
    assert response.headers["location"] == new


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/"])
async def test_the_merged_documents_are_served_at_v1(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)

    assert response.status_code == 200
