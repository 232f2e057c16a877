from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import httpx

from tests.conftest import MakeToken, Upstreams, upstream_headers_of
from tests.upstreams import STREAM_CHUNK, STREAM_CHUNKS


async def test_routes_by_prefix_with_path_and_query_unchanged(
    client: httpx.AsyncClient, make_token: MakeToken
) -> None:
    response = await client.get(
        "/api/v1/accounts/users/a%2Fb/?q=caf%C3%A9&q=2&empty=",
        headers={"authorization": f"Bearer {make_token()}"},
    )

    assert response.status_code == 200
    assert response.json()["raw_path"] == "/api/v1/accounts/users/a%2Fb/"
    assert response.json()["query"] == "q=caf%C3%A9&q=2&empty="


async def test_jwks_is_served_by_accounts_anonymously(client: httpx.AsyncClient) -> None:
    response = await client.get("/.well-known/jwks.json")

    assert response.status_code == 200
    assert response.json()["raw_path"] == "/.well-known/jwks.json"


async def test_unknown_route_is_a_not_found_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/billing/invoices/", headers={"x-request-id": "req-404"})

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:platform:problem:not_found",
        "title": "Not found",
        "status": 404,
        "detail": "No route for /api/v1/billing/invoices/.",
        "code": "not_found",
        "instance": "/api/v1/billing/invoices/",
        "request_id": "req-404",
    }


async def test_hop_by_hop_headers_are_stripped_both_ways(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/api/v1/content/articles/",
        headers={
            "connection": "keep-alive, x-client-hop",
            "x-client-hop": "1",
            "keep-alive": "timeout=5",
            "te": "trailers",
            "proxy-authorization": "Basic eDp5",
            "x-kept": "yes",
        },
    )

    seen = upstream_headers_of(response)
    for name in ("connection", "x-client-hop", "keep-alive", "te", "proxy-authorization"):
        assert name not in seen
    assert seen["x-kept"] == ["yes"]
    assert "x-upstream-hop" not in response.headers
    assert "keep-alive" not in response.headers
    assert response.headers["x-upstream"] == "kept"
    assert len(response.headers.get_list("date")) == 1
    assert len(response.headers.get_list("server")) <= 1


async def test_sane_request_id_is_propagated_to_upstream_and_response(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/api/v1/content/articles/", headers={"x-request-id": "abc.DEF-1_2"}
    )

    assert response.headers["x-request-id"] == "abc.DEF-1_2"
    assert upstream_headers_of(response)["x-request-id"] == ["abc.DEF-1_2"]


async def test_insane_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    for bad in ("has space", "x" * 129, "semi;colon"):
        response = await client.get("/api/v1/content/articles/", headers={"x-request-id": bad})

        generated = response.headers["x-request-id"]
        assert generated != bad
        assert len(generated) == 32
        assert upstream_headers_of(response)["x-request-id"] == [generated]


async def test_the_upstream_continues_the_callers_trace_or_a_new_one(
    client: httpx.AsyncClient,
) -> None:
    caller_trace, caller_span = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"

    kept = await client.get(
        "/api/v1/content/articles/", headers={"traceparent": f"00-{caller_trace}-{caller_span}-01"}
    )
    created = await client.get("/api/v1/content/articles/")

    (continued,) = upstream_headers_of(kept)["traceparent"]
    version, trace_id, parent_id, _ = continued.split("-")
    # The caller's trace, below the gateway's own span for the upstream call.
    assert (version, trace_id) == ("00", caller_trace)
    assert len(parent_id) == 16
    assert parent_id != caller_span
    (new,) = upstream_headers_of(created)["traceparent"]
    version, trace_id, parent_id, _ = new.split("-")
    assert (version, len(trace_id), len(parent_id)) == ("00", 32, 16)
    assert trace_id != caller_trace


async def test_request_body_is_forwarded_with_its_length(
    client: httpx.AsyncClient, make_token: MakeToken
) -> None:
    body = b"x" * 50_000

    response = await client.post(
        "/api/v1/accounts/register/", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 200
    assert response.json()["body_bytes"] == len(body)
    assert response.json()["body_sha256"] == hashlib.sha256(body).hexdigest()
    assert upstream_headers_of(response)["content-length"] == [str(len(body))]
    assert upstream_headers_of(response)["content-type"] == ["application/json"]


async def test_chunked_request_body_is_forwarded_whole_with_its_length(
    client: httpx.AsyncClient,
) -> None:
    parts = [bytes([n]) * 10_000 for n in range(5)]

    async def chunked() -> AsyncIterator[bytes]:
        for part in parts:
            yield part

    response = await client.post("/api/v1/accounts/register/", content=chunked())

    assert response.status_code == 200
    assert response.json()["body_sha256"] == hashlib.sha256(b"".join(parts)).hexdigest()
    assert upstream_headers_of(response)["content-length"] == ["50000"]
    assert "transfer-encoding" not in upstream_headers_of(response)


async def test_large_response_is_streamed_intact(
    client: httpx.AsyncClient, make_token: MakeToken
) -> None:
    response = await client.get(
        "/api/v1/accounts/stream/", headers={"authorization": f"Bearer {make_token()}"}
    )

    assert response.status_code == 200
    assert response.headers["transfer-encoding"] == "chunked"
    assert response.content == STREAM_CHUNK * STREAM_CHUNKS


async def test_response_bytes_reach_the_client_before_the_upstream_finishes(
    client: httpx.AsyncClient, upstreams: Upstreams, make_token: MakeToken
) -> None:
    headers = {"authorization": f"Bearer {make_token()}"}

    async with client.stream("GET", "/api/v1/accounts/gated/", headers=headers) as response:
        chunks = response.aiter_raw()
        # A buffering proxy would wait for the whole body: the gate opens only from here.
        first = await anext(chunks)
        upstreams.gate.opened.set()
        rest = b"".join([chunk async for chunk in chunks])

    assert first == b"first;"
    assert rest == b"second"
