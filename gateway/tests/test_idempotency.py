"""POST with an Idempotency-Key runs once per caller and key; repeats get the stored answer."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio.cluster import RedisCluster
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Scope, Send

from gateway.idempotency import REPLAYED_HEADER, Idempotency
from tests.conftest import REDIS_CLUSTER_URL, MakeToken, StartGateway
from tests.servers import closed_port, serve


class Calls:
    """How often the upstream ran each path."""

    def __init__(self) -> None:
        self.by_path: dict[str, int] = {}


def counting_app(calls: Calls) -> Starlette:
    """Creates "orders": ``?status=`` sets the answer's status, ``?sleep=`` delays it."""

    async def create(request: Request) -> Response:
        path = request.url.path
        calls.by_path[path] = calls.by_path.get(path, 0) + 1
        body = await request.body()
        await asyncio.sleep(float(request.query_params.get("sleep", "0")))
        return JSONResponse(
            {"call": calls.by_path[path], "received": body.decode()},
            status_code=int(request.query_params.get("status", "201")),
            headers={"location": f"{path}{calls.by_path[path]}/", "set-cookie": "s=1"},
        )

    return Starlette(routes=[Route("/{path:path}", create, methods=["POST"])])


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def key_prefix() -> str:
    return f"test-idempotency-{uuid.uuid4().hex}"


@pytest.fixture
async def gateway_url(
    start_gateway: StartGateway, calls: Calls, key_prefix: str
) -> AsyncIterator[str]:
    async with serve(counting_app(calls)) as upstream:
        upstreams = {"accounts": upstream, "content": upstream, "notifications": upstream}
        async with start_gateway(
            upstreams=upstreams,
            idempotency_key_prefix=key_prefix,
            idempotency_ttl_seconds=3600,
            upstream_read_timeout=5.0,
        ) as url:
            yield url


@pytest.fixture
def headers(make_token: MakeToken) -> dict[str, str]:
    return {"authorization": f"Bearer {make_token()}", "idempotency-key": uuid.uuid4().hex}


ORDERS = "/api/v1/content/orders/"


async def test_a_post_with_an_idempotency_key_runs_once_and_is_replayed(
    gateway_url: str, calls: Calls, headers: dict[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=gateway_url) as client:
        first = await client.post(ORDERS, headers=headers, content=b'{"qty": 1}')
        again = await client.post(ORDERS, headers=headers, content=b'{"qty": 1}')

    assert calls.by_path == {ORDERS: 1}
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() == {"call": 1, "received": '{"qty": 1}'}
    assert again.headers["location"] == first.headers["location"] == f"{ORDERS}1/"
    assert again.headers["content-type"] == "application/json"
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert "set-cookie" not in again.headers  # only selected headers are stored
    assert again.headers["x-content-type-options"] == "nosniff"  # still an edge answer


async def test_posts_without_a_key_run_every_time(
    gateway_url: str, calls: Calls, make_token: MakeToken
) -> None:
    headers = {"authorization": f"Bearer {make_token()}"}
    async with httpx.AsyncClient(base_url=gateway_url) as client:
        for _ in range(2):
            await client.post(ORDERS, headers=headers, content=b"{}")

    assert calls.by_path == {ORDERS: 2}


async def test_keys_belong_to_their_caller(
    gateway_url: str, calls: Calls, make_token: MakeToken
) -> None:
    key = uuid.uuid4().hex
    async with httpx.AsyncClient(base_url=gateway_url) as client:
        for _ in range(2):
            answer = await client.post(
                ORDERS,
                headers={"authorization": f"Bearer {make_token()}", "idempotency-key": key},
                content=b"{}",
            )
            assert "idempotent-replayed" not in answer.headers

    assert calls.by_path == {ORDERS: 2}


async def test_a_concurrent_duplicate_gets_409_in_progress(
    gateway_url: str, calls: Calls, headers: dict[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=gateway_url) as client:
        slow = asyncio.create_task(client.post(f"{ORDERS}?sleep=2", headers=headers, content=b"{}"))
        # Not a fixed sleep: on a loaded machine the first request may take longer to land.
        async with asyncio.timeout(5):
            while not calls.by_path:
                await asyncio.sleep(0.01)
        duplicate = await client.post(f"{ORDERS}?sleep=2", headers=headers, content=b"{}")
        first = await slow
        after = await client.post(f"{ORDERS}?sleep=2", headers=headers, content=b"{}")

    assert first.status_code == 201
    assert duplicate.status_code == 409
    assert duplicate.headers["content-type"] == "application/problem+json"
    assert duplicate.json()["code"] == "idempotency_in_progress"
    assert after.headers["idempotent-replayed"] == "true"
    assert calls.by_path == {ORDERS: 1}


@pytest.mark.parametrize(
    ("path", "body"),
    [(ORDERS, b'{"qty": 2}'), ("/api/v1/content/invoices/", b'{"qty": 1}')],
    ids=["other-body", "other-path"],
)
async def test_the_same_key_for_another_request_is_a_409_mismatch(
    gateway_url: str, calls: Calls, headers: dict[str, str], path: str, body: bytes
) -> None:
    async with httpx.AsyncClient(base_url=gateway_url) as client:
        await client.post(ORDERS, headers=headers, content=b'{"qty": 1}')
        other = await client.post(path, headers=headers, content=body)

    # A conflict with the state the key holds (schema-valid data is never 422 here).
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["code"] == "idempotency_key_mismatch"
    assert sum(calls.by_path.values()) == 1


async def test_server_errors_are_not_stored_so_a_retry_runs_again(
    gateway_url: str, calls: Calls, headers: dict[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=gateway_url) as client:
        failed = await client.post(f"{ORDERS}?status=500", headers=headers, content=b"{}")
        retried = await client.post(f"{ORDERS}?status=500", headers=headers, content=b"{}")

    assert failed.status_code == retried.status_code == 500
    assert "idempotent-replayed" not in retried.headers
    assert calls.by_path == {f"{ORDERS}": 2}


async def test_client_errors_are_stored_and_replayed(
    gateway_url: str, calls: Calls, headers: dict[str, str]
) -> None:
    async with httpx.AsyncClient(base_url=gateway_url) as client:
        await client.post(f"{ORDERS}?status=400", headers=headers, content=b"{}")
        again = await client.post(f"{ORDERS}?status=400", headers=headers, content=b"{}")

    assert again.status_code == 400
    assert again.headers["idempotent-replayed"] == "true"
    assert calls.by_path == {ORDERS: 1}


@pytest.mark.parametrize("key", ["", "k" * 256, "tab\there"], ids=["empty", "too-long", "ctl"])
async def test_a_malformed_key_is_400(
    gateway_url: str, calls: Calls, make_token: MakeToken, key: str
) -> None:
    async with httpx.AsyncClient(base_url=gateway_url) as client:
        answer = await client.post(
            ORDERS,
            headers={"authorization": f"Bearer {make_token()}", "idempotency-key": key},
            content=b"{}",
        )

    assert answer.status_code == 400
    assert answer.json()["code"] == "idempotency_key_invalid"
    assert calls.by_path == {}


async def test_answers_are_kept_in_the_redis_cluster_for_the_ttl(
    gateway_url: str, headers: dict[str, str], key_prefix: str
) -> None:
    async with httpx.AsyncClient(base_url=gateway_url) as client:
        await client.post(ORDERS, headers=headers, content=b"{}")

    redis = RedisCluster.from_url(REDIS_CLUSTER_URL)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{key_prefix}:*")]
        ttls = [await redis.ttl(key) for key in keys]
    finally:
        await redis.aclose()

    assert len(keys) == 1  # the answer; the in-progress marker is gone
    assert keys[0].startswith(f"{key_prefix}:{{".encode())  # hash-tagged
    assert headers["idempotency-key"].encode() not in keys[0]  # the key is stored hashed
    assert 3500 < ttls[0] <= 3600


async def test_without_the_redis_cluster_a_keyed_post_is_refused_not_run_unprotected(
    start_gateway: StartGateway, calls: Calls, headers: dict[str, str]
) -> None:
    dead_cluster = f"redis://127.0.0.1:{closed_port()}/0"
    async with serve(counting_app(calls)) as upstream:
        upstreams = {"accounts": upstream, "content": upstream, "notifications": upstream}
        gateway = start_gateway(upstreams=upstreams, redis_cluster_url=dead_cluster)
        async with gateway as url, httpx.AsyncClient(base_url=url) as client:
            keyed = await client.post(ORDERS, headers=headers, content=b"{}")
            plain = await client.post(
                ORDERS, headers={"authorization": headers["authorization"]}, content=b"{}"
            )

    assert keyed.status_code == 503
    assert keyed.json()["code"] == "service_unavailable"
    assert keyed.headers["retry-after"] == "5"
    assert plain.status_code == 201  # the rate limiter still fails open
    assert calls.by_path == {ORDERS: 1}


async def test_the_answer_is_stored_before_its_last_byte_reaches_the_client(
    key_prefix: str,
) -> None:
    # A client may repeat the moment it holds the answer: the repeat must be the replay,
    # never "in progress" because the store came after the last byte.
    redis = RedisCluster.from_url(REDIS_CLUSTER_URL)
    idempotency = Idempotency(
        redis, key_prefix=key_prefix, ttl_seconds=60, lock_seconds=60, max_response_bytes=1024
    )
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "raw_path": ORDERS.encode(),
        "query_string": b"",
    }
    repeats: list[Message] = []

    async def upstream(send: Send) -> None:
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b'{"id": 1}'})

    async def repeat_once_answered(message: Message) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body"):
            await idempotency.forward(
                scope, _record(repeats), key=b"k1", caller="user:1", body=b"{}", forward=upstream
            )

    try:
        await idempotency.forward(
            scope, repeat_once_answered, key=b"k1", caller="user:1", body=b"{}", forward=upstream
        )
    finally:
        await redis.aclose()

    assert repeats[0]["status"] == 201
    assert REPLAYED_HEADER in repeats[0]["headers"]
    assert repeats[1]["body"] == b'{"id": 1}'


def _record(messages: list[Message]) -> Send:
    async def send(message: Message) -> None:
        messages.append(message)

    return send
