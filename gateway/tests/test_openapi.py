"""GET /api/schema/ merges the services' OpenAPI documents; GET /api/docs/ lists them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from gateway.openapi import merge
from tests.conftest import StartGateway
from tests.servers import closed_port, serve
from tests.upstreams import Hits, schema_app

ERROR = {"type": "object", "properties": {"code": {"type": "string"}}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def ok(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"content": {"application/json": {"schema": schema}}}}


ACCOUNTS: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "accounts API", "version": "1.0.0"},
    "paths": {
        "/api/accounts/me/": {
            "get": {
                "operationId": "accounts_me_retrieve",
                "summary": "The caller <script>alert(1)</script>",
                "responses": ok(ref("User")),
                "security": [{"jwtAuth": []}],
            }
        },
        "/api/accounts/token/": {
            "post": {"operationId": "accounts_token_create", "responses": ok(ref("Error"))}
        },
    },
    "components": {
        "schemas": {
            "User": {"type": "object", "properties": {"email": {"type": "string"}}},
            "Error": ERROR,
            "UserList": {"type": "array", "items": ref("User")},
        },
        "securitySchemes": {"jwtAuth": {"type": "http", "scheme": "bearer"}},
    },
    "security": [{"jwtAuth": []}, {}],
    "tags": [{"name": "accounts"}],
}
CONTENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "content API", "version": "1.0.0"},
    "paths": {
        "/api/content/articles/": {
            "get": {"operationId": "content_articles_list", "responses": ok(ref("Article"))},
            "post": {"operationId": "content_articles_create", "responses": ok(ref("Error"))},
        }
    },
    "components": {
        "schemas": {
            "User": {"type": "object", "properties": {"id": {"type": "string"}}},
            "Error": ERROR,
            "Article": {"type": "object", "properties": {"author": ref("User")}},
        },
        "securitySchemes": {"jwtAuth": {"type": "http", "scheme": "bearer"}},
    },
    "tags": [{"name": "content"}],
}


@pytest.fixture
async def schema_upstream() -> AsyncIterator[tuple[str, Hits]]:
    hits = Hits()
    async with serve(schema_app({"accounts": ACCOUNTS, "content": CONTENT}, hits)) as url:
        yield url, hits


@pytest.fixture
async def docs_gateway(
    start_gateway: StartGateway, schema_upstream: tuple[str, Hits]
) -> AsyncIterator[str]:
    url, _ = schema_upstream
    down = f"http://127.0.0.1:{closed_port()}"
    upstreams = {"accounts": url, "content": url, "notifications": down}
    async with start_gateway(upstreams=upstreams) as gateway:
        yield gateway


async def test_schema_merges_every_reachable_service_and_names_the_missing(
    docs_gateway: str,
) -> None:
    async with httpx.AsyncClient(base_url=docs_gateway) as client:
        response = await client.get("/api/v1/schema/")  # public: no token

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.oai.openapi+json"
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["x-missing-services"] == ["notifications"]
    assert set(document["paths"]) == {
        "/api/accounts/me/",
        "/api/accounts/token/",
        "/api/content/articles/",
    }
    schemas = document["components"]["schemas"]
    # Same name, different meaning: prefixed per service; the same schema: kept once.
    assert set(schemas) == {
        "AccountsUser",
        "ContentUser",
        "Error",
        "UserList",
        "Article",
    }
    assert schemas["UserList"]["items"] == ref("AccountsUser")
    assert schemas["Article"]["properties"]["author"] == ref("ContentUser")
    me = document["paths"]["/api/accounts/me/"]["get"]
    assert me["responses"]["200"]["content"]["application/json"]["schema"] == ref("AccountsUser")
    token = document["paths"]["/api/accounts/token/"]["post"]
    assert token["security"] == [{"jwtAuth": []}, {}]  # accounts' default, kept per operation
    assert "security" not in document["paths"]["/api/content/articles/"]["post"]
    assert document["components"]["securitySchemes"] == {
        "jwtAuth": {"type": "http", "scheme": "bearer"}
    }
    assert [tag["name"] for tag in document["tags"]] == ["accounts", "content"]


async def test_schema_is_cached(docs_gateway: str, schema_upstream: tuple[str, Hits]) -> None:
    _, hits = schema_upstream
    async with httpx.AsyncClient(base_url=docs_gateway) as client:
        first = await client.get("/api/v1/schema/")
        second = await client.get("/api/v1/schema/")
        await client.get("/api/v1/docs/")

    assert first.content == second.content
    assert hits.by_path == {"/api/accounts/schema/": 1, "/api/content/schema/": 1}


async def test_schema_refetches_after_the_ttl(
    start_gateway: StartGateway, schema_upstream: tuple[str, Hits]
) -> None:
    url, hits = schema_upstream
    upstreams = {"accounts": url, "content": url, "notifications": url}
    async with (
        start_gateway(upstreams=upstreams, openapi_cache_seconds=0) as gateway,
        httpx.AsyncClient(base_url=gateway) as client,
    ):
        await client.get("/api/v1/schema/")
        document = (await client.get("/api/v1/schema/")).json()

    # notifications answers 404 here: missing, like one that is down.
    assert document["x-missing-services"] == ["notifications"]
    assert hits.by_path["/api/content/schema/"] == 2


async def test_docs_page_lists_operations_without_external_assets(docs_gateway: str) -> None:
    async with httpx.AsyncClient(base_url=docs_gateway) as client:
        response = await client.get("/api/v1/docs/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for operation in ("accounts_me_retrieve", "content_articles_list", "/api/content/articles/"):
        assert operation in page
    assert "notifications" in page  # said to be missing
    assert "<script" not in page  # the summary is escaped, and there is no script at all
    assert "&lt;script&gt;" in page
    assert "http://" not in page
    assert "https://" not in page
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert response.headers["x-frame-options"] == "DENY"


async def test_only_get_and_head(docs_gateway: str) -> None:
    async with httpx.AsyncClient(base_url=docs_gateway) as client:
        post = await client.post("/api/v1/schema/")
        head = await client.head("/api/v1/docs/")

    assert post.status_code == 405
    assert post.json()["code"] == "method_not_allowed"
    assert post.headers["allow"] == "GET, HEAD"
    assert head.status_code == 200


async def test_schema_is_rate_limited_like_anonymous_calls(
    start_gateway: StartGateway, schema_upstream: tuple[str, Hits]
) -> None:
    url, _ = schema_upstream
    upstreams = {"accounts": url, "content": url, "notifications": url}
    async with (
        start_gateway(upstreams=upstreams, rate_limit_anonymous=2) as gateway,
        httpx.AsyncClient(base_url=gateway) as client,
    ):
        statuses = [(await client.get("/api/v1/schema/")).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_components_referring_to_a_renamed_one_are_renamed_too() -> None:
    # "Page" is the same text in both, but points at a "User" that is not.
    a = {
        "paths": {},
        "components": {
            "schemas": {"User": {"type": "string"}, "Page": {"items": ref("User")}},
        },
    }
    b = {
        "paths": {},
        "components": {
            "schemas": {"User": {"type": "integer"}, "Page": {"items": ref("User")}},
        },
    }

    schemas = merge({"a": a, "b": b}, [])["components"]["schemas"]

    assert schemas == {
        "AUser": {"type": "string"},
        "APage": {"items": ref("AUser")},
        "BUser": {"type": "integer"},
        "BPage": {"items": ref("BUser")},
    }
    assert "x-missing-services" not in merge({"a": a}, [])
