"""The JWT attack suite at the edge: every forged, broken or revoked token is 401
problem+json, before any upstream sees the request."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from redis.cluster import RedisCluster

from platform_common.auth.sessions import revoked_session_key
from platform_common.testing.attacks import ATTACKS, assert_refused, jwks_attack_token
from platform_common.testing.jwt import SigningKey
from tests.conftest import REDIS_CLUSTER_URL, MakeToken, bearer

ME = "/api/v1/accounts/me/"


@pytest.mark.parametrize("attack", ATTACKS)
async def test_an_attack_token_is_401_problem_json_at_the_edge(
    client: httpx.AsyncClient, signing_key: SigningKey, attack: str
) -> None:
    token = jwks_attack_token(attack, key=signing_key)

    response = await client.get(ME, headers=bearer(token))

    assert_refused(
        status=response.status_code,
        content_type=response.headers["content-type"],
        body=response.json(),
    )


@pytest.fixture
def cluster() -> Iterator[RedisCluster]:
    client = RedisCluster.from_url(REDIS_CLUSTER_URL)
    yield client
    client.close()


async def test_a_revoked_sessions_token_is_401_problem_json_at_the_edge(
    client: httpx.AsyncClient, make_token: MakeToken, cluster: RedisCluster
) -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    key = revoked_session_key(user_id=user_id, session_id=session_id)
    cluster.set(key, 1, ex=60)
    try:
        response = await client.get(
            ME, headers=bearer(make_token(sub=user_id, sid=str(session_id)))
        )
    finally:
        cluster.delete(key)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_token"
