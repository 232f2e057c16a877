"""Forged and broken access tokens for the JWT attack suites (the gateway's and each
service's): every one must be refused with 401 problem+json. No Django, so the gateway's
tests use it too.

``attack_token(name, ...)`` builds the token of one attack against ``key`` (the key the
verifier trusts); ``retired`` is a key the verifier no longer publishes.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

from platform_common.testing.jwt import TEST_AUDIENCE, TEST_ISSUER, SigningKey, sign_token

# Each attack against the signature, the key lookup or the claims.
ATTACKS = (
    "alg_none",
    "hs256_signed_with_the_public_key",
    "unknown_kid",
    "path_traversal_kid",
    "sql_injection_kid",
    "jku_header_injection",
    "wrong_audience",
    "wrong_issuer",
    "expired",
    "not_yet_valid",
    "tampered_payload",
    "retired_key",
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(*, issuer: str, audience: str, sub: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "iss": issuer,
        "aud": audience,
        "sub": sub,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=15)).timestamp()),
        "jti": uuid.uuid4().hex,
        "roles": ["reader"],
    }


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


def attack_token(
    name: str,
    *,
    key: SigningKey,
    retired: SigningKey,
    issuer: str,
    audience: str,
    sub: uuid.UUID | str,
) -> str:
    """The token of attack ``name`` (one of ``ATTACKS``) on a verifier trusting ``key``."""
    subject = str(sub)

    def signed(with_key: SigningKey = key, **overrides: Any) -> str:
        claims = {
            "issuer": issuer,
            "audience": audience,
            "sub": subject,
            "roles": ["reader"],
            **overrides,
        }
        return sign_token(with_key, **claims)

    if name == "alg_none":
        # Unsigned, naming a trusted key: a verifier honouring the header skips the check.
        header = {"alg": "none", "typ": "JWT", "kid": key.kid}
        return _unsigned(header, _claims(issuer=issuer, audience=audience, sub=subject)) + "."
    if name == "hs256_signed_with_the_public_key":
        # Algorithm confusion: the published public key used as an HMAC secret.
        public_pem = key.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        header = {"alg": "HS256", "typ": "JWT", "kid": key.kid}
        signing_input = _unsigned(header, _claims(issuer=issuer, audience=audience, sub=subject))
        signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(signature)}"
    if name == "unknown_kid":
        return signed(SigningKey.generate(kid=f"unknown-{secrets.token_hex(4)}"))
    if name == "path_traversal_kid":
        return signed(SigningKey.generate(), kid="../../../../../../dev/null")
    if name == "sql_injection_kid":
        return signed(SigningKey.generate(), kid=f"{key.kid}' OR '1'='1")
    if name == "jku_header_injection":
        # A key set URL of the attacker's; verifiers must only trust their own JWKS.
        attacker = SigningKey.generate()
        header = {"alg": "RS256", "typ": "JWT", "kid": attacker.kid, "jku": "http://evil.test/"}
        return _rs256(attacker, header, _claims(issuer=issuer, audience=audience, sub=subject))
    if name == "wrong_audience":
        return signed(audience="another-platform")
    if name == "wrong_issuer":
        return signed(issuer="http://evil.test")
    if name == "expired":
        return signed(exp_delta=-3600)
    if name == "not_yet_valid":
        later = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
        return signed(nbf=later, iat=later)
    if name == "tampered_payload":
        signed_header, _, signed_signature = signed().split(".")
        claims = _claims(issuer=issuer, audience=audience, sub=subject)
        claims["roles"] = ["admin"]
        return f"{signed_header}.{_b64(json.dumps(claims).encode())}.{signed_signature}"
    if name == "retired_key":
        return signed(retired)
    raise ValueError(f"unknown attack {name!r}")


def _rs256(key: SigningKey, header: dict[str, Any], claims: dict[str, Any]) -> str:
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers=header)


def assert_refused(*, status: int, content_type: str, body: dict[str, Any]) -> None:
    """The one answer every attack gets: 401 problem+json with a token code."""
    assert status == 401, body
    assert content_type.split(";")[0] == "application/problem+json", content_type
    assert body["code"] in {"invalid_token", "token_expired"}, body


@functools.cache
def _retired_test_key() -> SigningKey:
    return SigningKey.generate(kid="retired-test-key")


def jwks_attack_token(name: str, *, key: SigningKey) -> str:
    """Attack ``name`` on a verifier of the test JWKS (``platform_common.testing.jwt``),
    which publishes ``key``; the retired key is one it does not (any more) publish."""
    return attack_token(
        name,
        key=key,
        retired=_retired_test_key(),
        issuer=TEST_ISSUER,
        audience=TEST_AUDIENCE,
        sub=uuid.uuid4(),
    )
