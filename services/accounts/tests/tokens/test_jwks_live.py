from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from accounts.tokens.services import access_token_issue
from accounts.users.models import User
from platform_common.auth.jwt import JWKSClient, TokenVerifier


@pytest.mark.django_db(transaction=True)
def test_an_issued_access_token_verifies_against_the_served_jwks(
    live_server: LiveServer, user: User
) -> None:
    token = access_token_issue(user=user, now=timezone.now(), session_id=uuid.uuid4())
    jwks = JWKSClient(f"{live_server.url}/.well-known/jwks.json")
    verifier = TokenVerifier(issuer=settings.JWT_ISSUER, audience=settings.JWT_AUDIENCE, keys=jwks)

    try:
        principal = verifier.verify(token)
    finally:
        jwks.close()

    assert principal.id == user.id
    assert principal.roles == frozenset({"reader"})
