"""Token verification against a real JWKS served over HTTP (no Django involved)."""

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from platform_common.auth.jwt import (
    AsyncJWKSClient,
    AsyncTokenVerifier,
    InvalidToken,
    JWKSClient,
    KeysUnavailable,
    Principal,
    TokenVerifier,
    parse_jwks,
)
from platform_common.testing.jwt import (
    TEST_AUDIENCE,
    TEST_ISSUER,
    JWKSServer,
    SigningKey,
    sign_token,
)


@pytest.fixture
def jwks(jwks_http_server: JWKSServer, jwt_signing_key: SigningKey) -> JWKSServer:
    jwks_http_server.reset([jwt_signing_key])
    return jwks_http_server


@pytest.fixture
def verifier(jwks: JWKSServer) -> TokenVerifier:
    return TokenVerifier(issuer=TEST_ISSUER, audience=TEST_AUDIENCE, keys=JWKSClient(jwks.url))


def token(
    key: SigningKey,
    *,
    issuer: str = TEST_ISSUER,
    audience: str = TEST_AUDIENCE,
    **claims: Any,
) -> str:
    return sign_token(key, issuer=issuer, audience=audience, **claims)


def valid_claims() -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": TEST_ISSUER,
        "aud": TEST_AUDIENCE,
        "sub": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 60,
        "jti": uuid.uuid4().hex,
    }


def b64_json(part: dict[str, Any]) -> bytes:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=")


def rejection(verifier: TokenVerifier, raw: str) -> str:
    with pytest.raises(InvalidToken) as caught:
        verifier.verify(raw)
    return caught.value.code


def test_valid_token_gives_the_principal(
    verifier: TokenVerifier, jwt_signing_key: SigningKey
) -> None:
    user_id = uuid.uuid4()

    principal = verifier.verify(token(jwt_signing_key, sub=user_id, roles=["editor"]))

    assert principal == Principal(id=user_id, roles=frozenset({"editor"}))
    assert principal in {principal}
    assert principal.is_authenticated
    assert principal.claims["iss"] == TEST_ISSUER


def test_expired_token_is_token_expired(
    verifier: TokenVerifier, jwt_signing_key: SigningKey
) -> None:
    assert rejection(verifier, token(jwt_signing_key, exp_delta=-60)) == "token_expired"


def test_token_signed_by_another_key_with_a_known_kid_is_invalid(
    verifier: TokenVerifier, jwt_signing_key: SigningKey
) -> None:
    forger = SigningKey.generate(kid=jwt_signing_key.kid)

    assert rejection(verifier, token(forger)) == "invalid_token"


@pytest.mark.parametrize(
    "overrides", [{"audience": "someone-else"}, {"issuer": "http://evil.example"}]
)
def test_wrong_audience_or_issuer_is_invalid(
    verifier: TokenVerifier, jwt_signing_key: SigningKey, overrides: dict[str, str]
) -> None:
    assert rejection(verifier, token(jwt_signing_key, **overrides)) == "invalid_token"


def test_alg_none_is_rejected(verifier: TokenVerifier, jwt_signing_key: SigningKey) -> None:
    header = {"alg": "none", "typ": "JWT", "kid": jwt_signing_key.kid}
    unsigned = b".".join([b64_json(header), b64_json(valid_claims()), b""]).decode()

    assert rejection(verifier, unsigned) == "invalid_token"


def test_hs256_keyed_with_the_public_key_is_rejected(
    verifier: TokenVerifier, jwt_signing_key: SigningKey
) -> None:
    # The classic confusion attack: HMAC keyed with the published RSA public key.
    public_pem = jwt_signing_key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": jwt_signing_key.kid}
    signing_input = b64_json(header) + b"." + b64_json(valid_claims())
    mac = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    forged = (signing_input + b"." + base64.urlsafe_b64encode(mac).rstrip(b"=")).decode()

    assert rejection(verifier, forged) == "invalid_token"


@pytest.mark.parametrize("missing", ["jti", "iat", "exp", "sub"])
def test_token_without_a_required_claim_is_invalid(
    verifier: TokenVerifier, jwt_signing_key: SigningKey, missing: str
) -> None:
    claims = valid_claims()
    del claims[missing]
    raw = jwt.encode(
        claims, jwt_signing_key.private_key, algorithm="RS256", headers={"kid": jwt_signing_key.kid}
    )

    assert rejection(verifier, raw) == "invalid_token"


def test_token_without_kid_is_invalid(verifier: TokenVerifier, jwt_signing_key: SigningKey) -> None:
    raw = jwt.encode({"sub": "x"}, jwt_signing_key.private_key, algorithm="RS256")

    assert rejection(verifier, raw) == "invalid_token"


def test_subject_that_is_not_a_uuid_is_invalid(
    verifier: TokenVerifier, jwt_signing_key: SigningKey
) -> None:
    assert rejection(verifier, token(jwt_signing_key, sub="admin")) == "invalid_token"


def test_garbage_is_invalid(verifier: TokenVerifier) -> None:
    assert rejection(verifier, "not.a.jwt") == "invalid_token"


def test_keys_are_fetched_once_and_cached(
    verifier: TokenVerifier, jwks: JWKSServer, jwt_signing_key: SigningKey
) -> None:
    for _ in range(3):
        verifier.verify(token(jwt_signing_key))

    assert jwks.request_count == 1


def test_unknown_kid_refetches_and_finds_a_rotated_key(
    jwks: JWKSServer, jwt_signing_key: SigningKey
) -> None:
    verifier = TokenVerifier(
        issuer=TEST_ISSUER,
        audience=TEST_AUDIENCE,
        keys=JWKSClient(jwks.url, min_refetch_seconds=0),
    )
    verifier.verify(token(jwt_signing_key))
    rotated = SigningKey.generate(kid="rotated")
    jwks.reset([jwt_signing_key, rotated])

    principal = verifier.verify(token(rotated))

    assert principal.claims["iss"] == TEST_ISSUER
    assert jwks.request_count == 1  # reset() zeroed the counter: exactly one refetch


def test_unknown_kids_cannot_hammer_the_jwks(
    verifier: TokenVerifier, jwks: JWKSServer, jwt_signing_key: SigningKey
) -> None:
    verifier.verify(token(jwt_signing_key))

    codes = {rejection(verifier, token(jwt_signing_key, kid=f"garbage-{n}")) for n in range(20)}

    assert codes == {"invalid_token"}
    assert jwks.request_count == 1


def test_unreachable_jwks_is_an_outage_not_a_bad_token(jwt_signing_key: SigningKey) -> None:
    verifier = TokenVerifier(
        issuer=TEST_ISSUER,
        audience=TEST_AUDIENCE,
        keys=JWKSClient("http://127.0.0.1:9/.well-known/jwks.json", timeout_seconds=1),
    )

    with pytest.raises(KeysUnavailable):
        verifier.verify(token(jwt_signing_key))


async def test_async_verifier_shares_the_rules(
    jwks: JWKSServer, jwt_signing_key: SigningKey
) -> None:
    verifier = AsyncTokenVerifier(
        issuer=TEST_ISSUER, audience=TEST_AUDIENCE, keys=AsyncJWKSClient(jwks.url)
    )
    user_id = uuid.uuid4()

    principal = await verifier.verify(token(jwt_signing_key, sub=user_id))
    with pytest.raises(InvalidToken) as expired:
        await verifier.verify(token(jwt_signing_key, exp_delta=-60))

    assert principal.id == user_id
    assert expired.value.code == "token_expired"
    assert jwks.request_count == 1


def test_keys_are_refetched_after_the_ttl(jwks: JWKSServer, jwt_signing_key: SigningKey) -> None:
    keys = JWKSClient(jwks.url, ttl_seconds=0, min_refetch_seconds=0)

    keys.get_key(jwt_signing_key.kid)
    keys.get_key(jwt_signing_key.kid)

    assert jwks.request_count == 2


def test_known_keys_keep_working_while_the_jwks_is_down(jwt_signing_key: SigningKey) -> None:
    server = JWKSServer([jwt_signing_key]).start()
    keys = JWKSClient(server.url, ttl_seconds=0, min_refetch_seconds=0, timeout_seconds=1)
    verifier = TokenVerifier(issuer=TEST_ISSUER, audience=TEST_AUDIENCE, keys=keys)
    verifier.verify(token(jwt_signing_key))

    server.stop()

    assert verifier.verify(token(jwt_signing_key)).claims["iss"] == TEST_ISSUER


def test_concurrent_first_lookups_fetch_once(jwks: JWKSServer, jwt_signing_key: SigningKey) -> None:
    keys = JWKSClient(jwks.url)
    start = threading.Barrier(16)

    def lookup() -> object:
        start.wait()
        return keys.get_key(jwt_signing_key.kid)

    with ThreadPoolExecutor(max_workers=16) as pool:
        found = list(pool.map(lambda _: lookup(), range(16)))

    assert all(key is not None for key in found)
    assert jwks.request_count == 1


def test_jwks_entries_that_cannot_verify_rs256_are_skipped(jwt_signing_key: SigningKey) -> None:
    good = jwt_signing_key.public_jwk()
    document = {
        "keys": [
            good,
            {**good, "kid": "enc", "use": "enc"},
            {**good, "kid": "es", "alg": "ES256"},
            {"kid": "oct", "kty": "oct", "k": "c2VjcmV0"},
            {"kty": "RSA", "n": good["n"], "e": good["e"]},
            {"kid": "broken", "kty": "RSA", "n": "!!", "e": "AQAB"},
        ]
    }

    assert list(parse_jwks(document)) == [jwt_signing_key.kid]


@pytest.mark.parametrize("document", [[], {"keys": "nope"}, "text"])
def test_a_document_that_is_not_a_jwks_is_refused(document: object) -> None:
    with pytest.raises(ValueError, match="JWKS"):
        parse_jwks(document)


async def test_concurrent_async_first_lookups_fetch_once(
    jwks: JWKSServer, jwt_signing_key: SigningKey
) -> None:
    keys = AsyncJWKSClient(jwks.url)

    found = await asyncio.gather(*(keys.get_key(jwt_signing_key.kid) for _ in range(16)))

    assert all(key is not None for key in found)
    assert jwks.request_count == 1
