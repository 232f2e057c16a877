"""RS256 access-token verification against the identity provider's JWKS; no Django here.

The verifier is split so sync and async callers share everything but the key lookup:
``kid_of(token)`` reads the header, a key provider (sync ``KeyProvider`` or async
``AsyncKeyProvider``) returns the public key, ``TokenRules.principal(token, key)`` checks
the signature and claims without I/O. ``JWKSClient`` and ``AsyncJWKSClient`` share one
``JWKSCache`` that decides when to fetch.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm

logger = logging.getLogger(__name__)

ALGORITHM = "RS256"
REQUIRED_CLAIMS = ("exp", "iat", "sub", "jti", "iss", "aud")
InvalidTokenCode = Literal["invalid_token", "token_expired"]
K = TypeVar("K")


class InvalidToken(Exception):
    """The token must not be trusted; ``code`` is ``invalid_token`` or ``token_expired``."""

    def __init__(self, code: InvalidTokenCode = "invalid_token", detail: str = "") -> None:
        self.code: InvalidTokenCode = code
        self.detail = detail or (
            "The access token expired." if code == "token_expired" else "Invalid access token."
        )
        super().__init__(self.detail)


class KeysUnavailable(Exception):
    """No verification keys could be obtained: an outage of the key source, not a bad token."""


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, as proven by a verified access token."""

    id: uuid.UUID
    roles: frozenset[str] = frozenset()
    # Not part of identity (and a dict is unhashable): two principals are equal by id and roles.
    claims: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def pk(self) -> uuid.UUID:
        """Django and DRF (throttles, logs) identify users by ``pk``."""
        return self.id

    def has_role(self, *roles: str) -> bool:
        """Whether the principal holds at least one of ``roles``."""
        return not self.roles.isdisjoint(roles)


class KeyProvider(Protocol):
    def get_key(self, kid: str) -> RSAPublicKey | None:
        """The public key for ``kid``, or ``None`` when the key source does not know it."""


class AsyncKeyProvider(Protocol):
    async def get_key(self, kid: str) -> RSAPublicKey | None:
        """The public key for ``kid``, or ``None`` when the key source does not know it."""


def parse_jwks(document: Any) -> dict[str, RSAPublicKey]:
    """The usable RS256 signing keys of a JWKS document, by ``kid``; other keys are skipped."""
    if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS document")
    keys: dict[str, RSAPublicKey] = {}
    for jwk in document["keys"]:
        if not isinstance(jwk, Mapping) or not isinstance(jwk.get("kid"), str):
            continue
        if jwk.get("kty") != "RSA" or jwk.get("use", "sig") != "sig":
            continue
        if jwk.get("alg", ALGORITHM) != ALGORITHM:
            continue
        try:
            key = RSAAlgorithm.from_jwk(json.dumps(dict(jwk)))
        except (jwt.InvalidKeyError, ValueError, KeyError, TypeError):
            logger.warning("Skipping malformed JWK %s", jwk.get("kid"))
            continue
        if isinstance(key, RSAPublicKey):
            keys[jwk["kid"]] = key
    return keys


class JWKSCache:
    """When to fetch: after ``ttl_seconds``, or on an unknown ``kid`` (key rotation), but never
    twice within ``min_refetch_seconds`` so garbage ``kid`` values cannot hammer the JWKS."""

    def __init__(
        self,
        *,
        ttl_seconds: float = 300.0,
        min_refetch_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.min_refetch_seconds = min_refetch_seconds
        self._clock = clock
        self._keys: dict[str, RSAPublicKey] = {}
        self._loaded_at: float | None = None
        self._attempted_at: float | None = None

    def is_settled(self, kid: str) -> bool:
        """Known and fresh: no need to wait for (or start) a fetch."""
        return kid in self._keys and not self.should_fetch(kid)

    def should_fetch(self, kid: str) -> bool:
        now = self._clock()
        if self._attempted_at is None:
            return True
        if now - self._attempted_at < self.min_refetch_seconds:
            return False
        expired = self._loaded_at is None or now - self._loaded_at >= self.ttl_seconds
        return expired or kid not in self._keys

    def begin_fetch(self) -> None:
        self._attempted_at = self._clock()

    def store(self, document: Any) -> None:
        self._keys = parse_jwks(document)
        self._loaded_at = self._clock()

    def key(self, kid: str) -> RSAPublicKey | None:
        """Stale keys are still served: a JWKS outage must not log everyone out."""
        if self._loaded_at is None:
            raise KeysUnavailable("the JWKS has never been fetched successfully")
        return self._keys.get(kid)

    def fetch_failed(self, url: str, exc: Exception) -> None:
        logger.warning("JWKS fetch from %s failed: %s", url, type(exc).__name__)


class _JWKSSource:
    """Where the keys come from and how long they are kept; the clients differ only in I/O."""

    def __init__(
        self,
        url: str,
        *,
        ttl_seconds: float = 300.0,
        min_refetch_seconds: float = 10.0,
        timeout_seconds: float = 3.0,
    ) -> None:
        self.url = url
        self.cache = JWKSCache(ttl_seconds=ttl_seconds, min_refetch_seconds=min_refetch_seconds)
        self.timeout_seconds = timeout_seconds


class JWKSClient(_JWKSSource):
    """Thread-safe ``KeyProvider`` fetching a JWKS over HTTP (a process-wide singleton)."""

    def __init__(self, url: str, **cache_and_timeout: float) -> None:
        super().__init__(url, **cache_and_timeout)
        self._http = httpx.Client(timeout=self.timeout_seconds)
        self._lock = threading.Lock()

    def get_key(self, kid: str) -> RSAPublicKey | None:
        if not self.cache.is_settled(kid):
            # Also waits for a fetch in flight, which may bring this kid.
            with self._lock:
                if self.cache.should_fetch(kid):
                    self._fetch()
        return self.cache.key(kid)

    def _fetch(self) -> None:
        self.cache.begin_fetch()
        try:
            response = self._http.get(self.url)
            response.raise_for_status()
            self.cache.store(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            self.cache.fetch_failed(self.url, exc)

    def close(self) -> None:
        self._http.close()


class AsyncJWKSClient(_JWKSSource):
    """``AsyncKeyProvider`` for the gateway and WebSocket consumers; use it from one event loop."""

    def __init__(self, url: str, **cache_and_timeout: float) -> None:
        super().__init__(url, **cache_and_timeout)
        self._lock = asyncio.Lock()

    async def get_key(self, kid: str) -> RSAPublicKey | None:
        if not self.cache.is_settled(kid):
            # Also waits for a fetch in flight, which may bring this kid.
            async with self._lock:
                if self.cache.should_fetch(kid):
                    await self._fetch()
        return self.cache.key(kid)

    async def _fetch(self) -> None:
        self.cache.begin_fetch()
        try:
            # Fetches are minutes apart: a short-lived client binds to no event loop.
            async with httpx.AsyncClient(timeout=self.timeout_seconds) as http:
                response = await http.get(self.url)
            response.raise_for_status()
            self.cache.store(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            self.cache.fetch_failed(self.url, exc)


def kid_of(token: str) -> str:
    """The ``kid`` of an RS256 token's header, rejecting any other algorithm before key lookup."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken("invalid_token", "Malformed access token.") from exc
    if header.get("alg") != ALGORITHM:
        raise InvalidToken("invalid_token", "Unsupported token algorithm.")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidToken("invalid_token", "The token has no key id.")
    return kid


class TokenRules:
    """Signature and claim checks, pure: no I/O, shared by the sync and async verifiers."""

    def __init__(self, *, issuer: str, audience: str, leeway_seconds: float = 10.0) -> None:
        self.issuer = issuer
        self.audience = audience
        self.leeway_seconds = leeway_seconds

    def principal(self, token: str, key: RSAPublicKey | None) -> Principal:
        if key is None:
            raise InvalidToken("invalid_token", "The token was signed with an unknown key.")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("token_expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken("invalid_token") from exc
        return principal_from_claims(claims)


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    try:
        user_id = uuid.UUID(str(claims["sub"]))
    except ValueError as exc:
        raise InvalidToken("invalid_token", "The token subject is not a user id.") from exc
    roles = claims.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise InvalidToken("invalid_token", "The token roles are malformed.")
    return Principal(id=user_id, roles=frozenset(roles), claims=dict(claims))


class _KeyedRules(TokenRules, Generic[K]):
    """The rules plus where the keys come from (a sync or an async key provider)."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        keys: K,
        leeway_seconds: float = 10.0,
    ) -> None:
        super().__init__(issuer=issuer, audience=audience, leeway_seconds=leeway_seconds)
        self.keys = keys


class TokenVerifier(_KeyedRules[KeyProvider]):
    def verify(self, token: str) -> Principal:
        """Raises ``InvalidToken`` (client's fault) or ``KeysUnavailable`` (key source down)."""
        return self.principal(token, self.keys.get_key(kid_of(token)))


class AsyncTokenVerifier(_KeyedRules[AsyncKeyProvider]):
    async def verify(self, token: str) -> Principal:
        """Raises ``InvalidToken`` (client's fault) or ``KeysUnavailable`` (key source down)."""
        return self.principal(token, await self.keys.get_key(kid_of(token)))
