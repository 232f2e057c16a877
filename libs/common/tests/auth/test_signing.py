"""The one signer: its tokens and JWKs are what the verifier accepts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from platform_common.auth.jwt import TokenRules, kid_of, parse_jwks
from platform_common.auth.signing import public_jwk, sign_access_token
from platform_common.testing.jwt import SigningKey


def test_a_signed_access_token_verifies_against_its_published_jwk(
    jwt_signing_key: SigningKey,
) -> None:
    user_id = uuid.uuid4()
    token = sign_access_token(
        private_key=jwt_signing_key.private_key,
        kid="key-1",
        issuer="http://issuer.test",
        audience="platform",
        subject=str(user_id),
        roles=["editor", "admin"],
        issued_at=datetime.now(UTC),
        lifetime=timedelta(minutes=15),
    )
    keys = parse_jwks({"keys": [public_jwk(jwt_signing_key.private_key, kid="key-1")]})

    principal = TokenRules(issuer="http://issuer.test", audience="platform").principal(
        token, keys[kid_of(token)]
    )

    assert principal.id == user_id
    assert principal.roles == frozenset({"editor", "admin"})
    assert principal.claims["exp"] - principal.claims["iat"] == 900
    assert set(principal.claims) == {"iss", "aud", "sub", "exp", "iat", "jti", "roles"}
