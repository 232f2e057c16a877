"""GET /api/v1/schema/ merges the services' OpenAPI documents; /api/v1/docs/ explores them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
import pytest

from gateway.openapi import merge
from tests.conftest import StartGateway
from tests.servers import closed_port, serve
from tests.upstreams import Hits, schema_app

ERROR = {"type": "object", "properties": {"code": {"type": "string"}}}
GATEWAY_ANSWERS = {
    "408": "RequestTimeout",
    "413": "PayloadTooLarge",
    "429": "RateLimited",
    "502": "BadGateway",
    "503": "ServiceUnavailable",
    "504": "GatewayTimeout",
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def ok(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"content": {"application/json": {"schema": schema}}}}


ACCOUNTS: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "accounts API", "version": "1.0.0"},
    "paths": {
        "/api/v1/accounts/me/": {
            "get": {
                "operationId": "accounts_me_retrieve",
                "summary": "The caller <script>alert(1)</script>",
                "responses": ok(ref("User")),
                "security": [{"jwtAuth": []}],
            }
        },
        "/api/v1/accounts/token/": {
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
        "/api/v1/content/articles/": {
            "get": {"operationId": "content_articles_list", "responses": ok(ref("Article"))},
            "post": {
                "operationId": "content_articles_create",
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": ref("Article"),
                            "examples": {"Draft": {"value": {"title": "Hello"}}},
                        }
                    }
                },
                "responses": {
                    "201": {
                        "content": {
                            "application/json": {
                                "schema": ref("Article"),
                                "examples": {"Created": {"$ref": "#/components/examples/Created"}},
                            }
                        }
                    },
                    "409": {"description": "The service's own conflict."},
                },
            },
        }
    },
    "components": {
        "schemas": {
            "User": {"type": "object", "properties": {"id": {"type": "string"}}},
            "Error": ERROR,
            "Article": {"type": "object", "properties": {"author": ref("User")}},
        },
        "examples": {"Created": {"value": {"id": "3f1c2b7e", "title": "Hello"}}},
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


@pytest.fixture
def all_schemas_gateway(
    start_gateway: StartGateway, schema_upstream: tuple[str, Hits]
) -> StartGateway:
    """A gateway whose three services are all the schema upstream, with ``changes``."""
    url, _ = schema_upstream
    upstreams = {"accounts": url, "content": url, "notifications": url}

    def start(**changes: Any) -> AbstractAsyncContextManager[str]:
        return start_gateway(upstreams=upstreams, **changes)

    return start


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
        "/api/v1/accounts/me/",
        "/api/v1/accounts/token/",
        "/api/v1/content/articles/",
    }
    schemas = document["components"]["schemas"]
    # Same name, different meaning: prefixed per service; the same schema: kept once.
    assert set(schemas) == {
        "AccountsUser",
        "ContentUser",
        "Error",
        "UserList",
        "Article",
        "Problem",  # the gateway's own answers
    }
    assert schemas["UserList"]["items"] == ref("AccountsUser")
    assert schemas["Article"]["properties"]["author"] == ref("ContentUser")
    me = document["paths"]["/api/v1/accounts/me/"]["get"]
    assert me["responses"]["200"]["content"]["application/json"]["schema"] == ref("AccountsUser")
    token = document["paths"]["/api/v1/accounts/token/"]["post"]
    assert token["security"] == [{"jwtAuth": []}, {}]  # accounts' default, kept per operation
    assert "security" not in document["paths"]["/api/v1/content/articles/"]["post"]
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
    assert hits.by_path == {"/api/v1/accounts/schema/": 1, "/api/v1/content/schema/": 1}


async def test_schema_refetches_after_the_ttl(
    all_schemas_gateway: StartGateway, schema_upstream: tuple[str, Hits]
) -> None:
    _, hits = schema_upstream
    async with (
        all_schemas_gateway(openapi_cache_seconds=0) as gateway,
        httpx.AsyncClient(base_url=gateway) as client,
    ):
        await client.get("/api/v1/schema/")
        document = (await client.get("/api/v1/schema/")).json()

    # notifications answers 404 here: missing, like one that is down.
    assert document["x-missing-services"] == ["notifications"]
    assert hits.by_path["/api/v1/content/schema/"] == 2


async def test_docs_page_is_an_explorer_served_without_external_assets(
    docs_gateway: str,
) -> None:
    async with httpx.AsyncClient(base_url=docs_gateway) as client:
        page = await client.get("/api/v1/docs/")
        bundle = await client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
        style = await client.get("/api/v1/docs/assets/swagger-ui.css")
        script = await client.get("/api/v1/docs/explorer.js")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script src="/api/v1/docs/assets/swagger-ui-bundle.js">' in page.text
    assert "http://" not in page.text
    assert "https://" not in page.text
    assert bundle.status_code == style.status_code == script.status_code == 200
    assert "SwaggerUIBundle" in bundle.text
    assert bundle.headers["content-type"].startswith("text/javascript")
    assert 'url: "/api/v1/schema/"' in script.text  # the merged document
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy  # no inline or foreign scripts
    assert "default-src 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"


async def test_unversioned_addresses_are_permanent_redirects(docs_gateway: str) -> None:
    async with httpx.AsyncClient(base_url=docs_gateway) as client:
        schema = await client.get("/api/schema/")
        docs = await client.get("/api/docs/")

    assert (schema.status_code, schema.headers["location"]) == (308, "/api/v1/schema/")
    assert (docs.status_code, docs.headers["location"]) == (308, "/api/v1/docs/")


async def test_every_operation_documents_the_gateways_own_answers(docs_gateway: str) -> None:
    async with httpx.AsyncClient(base_url=docs_gateway) as client:
        document = (await client.get("/api/v1/schema/")).json()

    components = document["components"]
    for item in document["paths"].values():
        for operation in item.values():
            for status, name in GATEWAY_ANSWERS.items():
                assert operation["responses"][status] == {"$ref": f"#/components/responses/{name}"}
    limited = components["responses"]["RateLimited"]
    problem = limited["content"]["application/problem+json"]["schema"]
    assert problem == ref("Problem")
    assert {"type", "title", "status", "code"} <= set(components["schemas"]["Problem"]["required"])
    assert set(limited["headers"]) == {
        "Retry-After",
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
        "RateLimit-Policy",
    }


async def test_post_operations_document_the_idempotency_key(docs_gateway: str) -> None:
    async with httpx.AsyncClient(base_url=docs_gateway) as client:
        document = (await client.get("/api/v1/schema/")).json()

    create = document["paths"]["/api/v1/content/articles/"]["post"]
    listing = document["paths"]["/api/v1/content/articles/"]["get"]
    key = {"$ref": "#/components/parameters/IdempotencyKey"}
    assert key in create["parameters"]
    assert key not in listing.get("parameters", [])
    parameter = document["components"]["parameters"]["IdempotencyKey"]
    assert (parameter["name"], parameter["in"]) == ("Idempotency-Key", "header")
    assert parameter["schema"]["maxLength"] == 255
    token = document["paths"]["/api/v1/accounts/token/"]["post"]
    conflict = {"$ref": "#/components/responses/IdempotencyConflict"}
    assert token["responses"]["409"] == conflict
    assert token["responses"]["400"] == {"$ref": "#/components/responses/IdempotencyKeyInvalid"}
    assert "422" not in token["responses"]
    # What a service documents itself is kept.
    assert create["responses"]["409"] == {"description": "The service's own conflict."}


async def test_the_services_examples_are_kept(docs_gateway: str) -> None:
    async with httpx.AsyncClient(base_url=docs_gateway) as client:
        document = (await client.get("/api/v1/schema/")).json()

    create = document["paths"]["/api/v1/content/articles/"]["post"]
    request = create["requestBody"]["content"]["application/json"]
    answer = create["responses"]["201"]["content"]["application/json"]
    assert request["examples"] == {"Draft": {"value": {"title": "Hello"}}}
    assert answer["examples"] == {"Created": {"$ref": "#/components/examples/Created"}}
    assert document["components"]["examples"]["Created"]["value"]["title"] == "Hello"


async def test_only_get_and_head(docs_gateway: str) -> None:
    async with httpx.AsyncClient(base_url=docs_gateway) as client:
        post = await client.post("/api/v1/schema/")
        head = await client.head("/api/v1/docs/")

    assert post.status_code == 405
    assert post.json()["code"] == "method_not_allowed"
    assert post.headers["allow"] == "GET, HEAD"
    assert head.status_code == 200


async def test_schema_is_rate_limited_like_anonymous_calls(
    all_schemas_gateway: StartGateway,
) -> None:
    async with (
        all_schemas_gateway(rate_limit_anonymous=2) as gateway,
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
    del schemas["Problem"]  # the gateway's own

    assert schemas == {
        "AUser": {"type": "string"},
        "APage": {"items": ref("AUser")},
        "BUser": {"type": "integer"},
        "BPage": {"items": ref("BUser")},
    }
    assert "x-missing-services" not in merge({"a": a}, [])
