from __future__ import annotations

import httpx

from tests.conftest import StartGateway
from tests.servers import closed_port


async def test_healthz_answers_without_dependencies(start_gateway: StartGateway) -> None:
    gateway = start_gateway(redis_cluster_url=f"redis://127.0.0.1:{closed_port()}/0")
    async with gateway as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_with_redis_cluster_and_jwks(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")

    assert response.status_code == 200
    closed = {"state": "closed", "consecutive_failures": 0}
    assert response.json() == {
        "status": "ready",
        "breakers": {"accounts": closed, "content": closed, "notifications": closed},
    }


async def test_readyz_names_every_missing_dependency(start_gateway: StartGateway) -> None:
    gateway = start_gateway(
        redis_cluster_url=f"redis://127.0.0.1:{closed_port()}/0",
        jwks_url=f"http://127.0.0.1:{closed_port()}/.well-known/jwks.json",
    )
    async with gateway as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/readyz", headers={"x-request-id": "ready-1"})

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "service_unavailable"
    assert response.json()["detail"] == "Not ready: redis_cluster, jwks."
    assert response.json()["request_id"] == "ready-1"
    assert response.json()["breakers"]["content"]["state"] == "closed"
