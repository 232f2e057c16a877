"""A revoked session's access tokens are refused at the edge within seconds: accounts lists
the session in the Redis Cluster (``platform_common.auth.sessions``), the gateway's per-user
count reads it in the same script calls (the first request of a session, then every sync
of the limiter, 0.1 s)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from redis.cluster import RedisCluster

from platform_common.auth.sessions import revoked_session_key
from tests.conftest import REDIS_CLUSTER_URL, MakeToken, bearer

ME = "/api/v1/accounts/me/"


@pytest.fixture
def cluster() -> Iterator[RedisCluster]:
    client = RedisCluster.from_url(REDIS_CLUSTER_URL)
    yield client
    client.close()


def revoke(cluster: RedisCluster, *, user_id: uuid.UUID, session_id: uuid.UUID) -> str:
    """What accounts writes when a session ends."""
    key = revoked_session_key(user_id=user_id, session_id=session_id)
    cluster.set(key, 1, ex=60)
    return key


async def refused_within(
    client: httpx.AsyncClient, token: str, *, seconds: float
) -> tuple[httpx.Response, float]:
    """Ask with ``token`` every 20 ms until it is refused or ``seconds`` have passed."""
    started = time.monotonic()
    while True:
        response = await client.get(ME, headers=bearer(token))
        elapsed = time.monotonic() - started
        if response.status_code != 200 or elapsed > seconds:
            return response, elapsed
        await asyncio.sleep(0.02)


async def test_a_revoked_sessions_token_is_refused_within_a_sync(
    client: httpx.AsyncClient, make_token: MakeToken, cluster: RedisCluster
) -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    token = make_token(sub=user_id, sid=str(session_id))
    other_session = make_token(sub=user_id, sid=str(uuid.uuid4()))
    # Verified and remembered by the edge before the revocation.
    assert (await client.get(ME, headers=bearer(token))).status_code == 200

    key = revoke(cluster, user_id=user_id, session_id=session_id)
    try:
        refused, elapsed = await refused_within(client, token, seconds=2.0)
        still_fine = await client.get(ME, headers=bearer(other_session))
    finally:
        cluster.delete(key)

    assert refused.status_code == 401
    assert refused.json()["code"] == "invalid_token"
    assert elapsed < 2.0
    assert still_fine.status_code == 200


async def test_a_token_without_a_session_is_not_refused(
    client: httpx.AsyncClient, make_token: MakeToken
) -> None:
    response = await client.get(ME, headers=bearer(make_token()))

    assert response.status_code == 200


async def test_the_first_request_of_an_already_revoked_session_is_refused(
    client: httpx.AsyncClient, make_token: MakeToken, cluster: RedisCluster
) -> None:
    user_id = uuid.uuid4()
    # The user is counted already (another session), so only the new session is unseen.
    assert (
        await client.get(ME, headers=bearer(make_token(sub=user_id, sid=str(uuid.uuid4()))))
    ).status_code == 200
    session_id = uuid.uuid4()
    key = revoke(cluster, user_id=user_id, session_id=session_id)
    try:
        refused = await client.get(ME, headers=bearer(make_token(sub=user_id, sid=str(session_id))))
    finally:
        cluster.delete(key)

    assert refused.status_code == 401
