"""The JWT attack suite directly against notifications (no gateway in front): every forged,
broken or retired-key token is 401 problem+json."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from platform_common.testing.attacks import ATTACKS, assert_refused, jwks_attack_token
from platform_common.testing.fixtures import RevokeSession
from platform_common.testing.jwt import JWKSServer, MakeToken, SigningKey

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_attack_token_is_401_problem_json(
    api_client: APIClient, jwks_server: JWKSServer, jwt_signing_key: SigningKey, attack: str
) -> None:
    token = jwks_attack_token(attack, key=jwt_signing_key)

    response = api_client.get("/api/v1/notifications/", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert_refused(
        status=response.status_code, content_type=response["Content-Type"], body=response.json()
    )


def test_a_revoked_sessions_token_is_401_problem_json(
    api_client: APIClient, make_token: MakeToken, revoke_session: RevokeSession
) -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    revoke_session(user_id, session_id)

    response = api_client.get(
        "/api/v1/notifications/",
        HTTP_AUTHORIZATION=f"Bearer {make_token(sub=user_id, sid=str(session_id))}",
    )

    assert_refused(
        status=response.status_code, content_type=response["Content-Type"], body=response.json()
    )
