"""The JWT attack suite directly against accounts (its own key set, no gateway in front):
every forged or broken token, and one signed by a retired key, is 401 problem+json."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from pytest_django import Settings
from rest_framework.test import APIClient

from accounts.tokens.keys import new_key, write_key
from accounts.users.models import User
from platform_common.testing.attacks import ATTACKS, assert_refused, attack_token
from platform_common.testing.fixtures import RevokeSession
from platform_common.testing.jwt import SigningKey, sign_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys(settings: Settings, tmp_path: Path) -> tuple[SigningKey, SigningKey]:
    """The key that signs, and one retired by a rotation (its grace is over)."""
    settings.JWT_SIGNING_KEYS_DIR = tmp_path
    active = new_key(now=datetime(2025, 1, 1, tzinfo=UTC))
    retired = new_key(now=datetime(2024, 1, 1, tzinfo=UTC))
    retired = replace(retired, verify_until=timezone.now() - timedelta(minutes=1))
    write_key(tmp_path, active)
    write_key(tmp_path, retired)
    return (
        SigningKey(kid=active.kid, private_key=active.private_key),
        SigningKey(kid=retired.kid, private_key=retired.private_key),
    )


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_attack_token_is_401_problem_json(
    api_client: APIClient, user: User, keys: tuple[SigningKey, SigningKey], attack: str
) -> None:
    active, retired = keys
    token = attack_token(
        attack,
        key=active,
        retired=retired,
        issuer=settings.JWT_ISSUER,
        audience=settings.JWT_AUDIENCE,
        sub=user.id,
    )

    response = api_client.get("/api/v1/accounts/me/", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert_refused(
        status=response.status_code, content_type=response["Content-Type"], body=response.json()
    )


def test_the_same_token_signed_properly_is_accepted(
    api_client: APIClient, user: User, keys: tuple[SigningKey, SigningKey]
) -> None:
    """The control: the attacks fail for what they change, not for the test's setup."""
    token = sign_token(
        keys[0], issuer=settings.JWT_ISSUER, audience=settings.JWT_AUDIENCE, sub=user.id
    )

    response = api_client.get("/api/v1/accounts/me/", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200


def test_a_revoked_sessions_token_is_401_problem_json(
    api_client: APIClient,
    user: User,
    keys: tuple[SigningKey, SigningKey],
    revoke_session: RevokeSession,
) -> None:
    """Accounts itself refuses it too, not only the gateway."""
    session_id = uuid.uuid4()
    token = sign_token(
        keys[0],
        issuer=settings.JWT_ISSUER,
        audience=settings.JWT_AUDIENCE,
        sub=user.id,
        sid=str(session_id),
    )
    revoke_session(user.id, session_id)

    response = api_client.get("/api/v1/accounts/me/", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert_refused(
        status=response.status_code, content_type=response["Content-Type"], body=response.json()
    )
