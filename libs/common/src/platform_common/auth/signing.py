"""The platform's one access-token signer and JWK builder (*no Django*).

accounts signs with it; test helpers sign with it too, so tests exercise the very tokens
accounts issues. Verification lives in ``platform_common.auth.jwt``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from jwt.algorithms import RSAAlgorithm

from platform_common.auth.jwt import ALGORITHM


def sign_access_token(
    *,
    private_key: RSAPrivateKey,
    kid: str,
    issuer: str,
    audience: str,
    subject: str,
    roles: Iterable[str],
    issued_at: datetime,
    lifetime: timedelta,
    extra_claims: Mapping[str, Any] | None = None,
) -> str:
    """An RS256 access token; ``extra_claims`` add to (or, in tests, replace) the standard ones."""
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": issued_at,
        "exp": issued_at + lifetime,
        "jti": uuid.uuid4().hex,
        "roles": sorted(roles),
        **(extra_claims or {}),
    }
    return jwt.encode(claims, private_key, algorithm=ALGORITHM, headers={"kid": kid})


def public_jwk(private_key: RSAPrivateKey, *, kid: str) -> dict[str, Any]:
    """The JWKS entry verifiers need for tokens signed by ``private_key`` under ``kid``."""
    jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    return {
        "kty": jwk["kty"],
        "use": "sig",
        "alg": ALGORITHM,
        "kid": kid,
        "n": jwk["n"],
        "e": jwk["e"],
    }
