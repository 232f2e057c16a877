"""Bearer tokens checked at the edge with the platform's shared JWT verifier.

The services verify the token again (defence in depth); the edge check keeps anonymous
and forged traffic away from them and gives the rate limiter a user to count.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from gateway.problems import Problem
from platform_common.auth.jwt import InvalidToken, KeysUnavailable, Principal
from platform_common.auth.sessions import revoked_session_key, session_id_of
from platform_common.problems import ProblemCode

Verify = Callable[[str], Awaitable[Principal]]

# A verified token is remembered briefly, so a client's burst costs one RSA check; the
# entry never outlives the token, and a removed signing key stops working within this time.
VERIFIED_TOKEN_TTL_SECONDS = 30.0
VERIFIED_TOKEN_CACHE_SIZE = 10_000

_DETAILS = {
    ProblemCode.NOT_AUTHENTICATED: "Authentication credentials were not provided.",
    ProblemCode.INVALID_TOKEN: "The access token is invalid.",
    ProblemCode.TOKEN_EXPIRED: "The access token has expired.",
}


def unauthorized(code: ProblemCode) -> Problem:
    challenge = b'Bearer realm="platform"'
    if code != ProblemCode.NOT_AUTHENTICATED:
        description = _DETAILS[code].encode()
        challenge += b', error="invalid_token", error_description="' + description + b'"'
    return Problem(401, code, _DETAILS[code], headers=[(b"www-authenticate", challenge)])


@dataclass(frozen=True, slots=True)
class Verified:
    """A verified token's caller, with what every request of it needs, derived once."""

    principal: Principal
    user_id: str
    # The rate limiter's identity, ``user:<sub>``.
    identity: str
    # The key whose existence says the token's session was revoked; None without a session.
    revoked_key: str | None
    # Until when it is remembered (never past the token's expiry).
    until: float


class EdgeAuthenticator:
    def __init__(self, verify: Verify) -> None:
        self._verify = verify
        # The whole Authorization field -> the caller: a repeat costs one dict lookup.
        self._verified: dict[bytes, Verified] = {}

    def known(self, authorization: bytes) -> Verified | None:
        """The caller of a token verified recently: checking it again costs nothing."""
        cached = self._verified.get(authorization)
        return cached if cached is not None and time.time() < cached.until else None

    async def authenticate(self, authorization: bytes | None, *, public: bool) -> Verified | None:
        """The caller, or None on a public route; a present but invalid token is always 401."""
        if authorization is None:
            if public:
                return None
            raise unauthorized(ProblemCode.NOT_AUTHENTICATED)
        cached = self.known(authorization)
        if cached is not None:
            return cached
        token = _bearer_token(authorization)
        if token is None:
            raise unauthorized(ProblemCode.INVALID_TOKEN)
        try:
            principal = await self._verify(token.decode("ascii"))
        except InvalidToken as error:
            expired = error.code == "token_expired"
            raise unauthorized(
                ProblemCode.TOKEN_EXPIRED if expired else ProblemCode.INVALID_TOKEN
            ) from error
        except UnicodeDecodeError as error:
            raise unauthorized(ProblemCode.INVALID_TOKEN) from error
        except KeysUnavailable as error:
            # The key source is down, not the client's fault: a retryable outage.
            raise Problem(
                503,
                ProblemCode.SERVICE_UNAVAILABLE,
                "Token keys are unavailable.",
                headers=[(b"retry-after", b"5")],
            ) from error
        return self._remember(authorization, principal)

    def _remember(self, authorization: bytes, principal: Principal) -> Verified:
        if len(self._verified) >= VERIFIED_TOKEN_CACHE_SIZE:
            self._verified.clear()
        now = time.time()
        expires_at = float(principal.claims.get("exp", now))
        user_id = str(principal.id)
        session_id = session_id_of(principal.claims)
        verified = Verified(
            principal=principal,
            user_id=user_id,
            identity=f"user:{user_id}",
            revoked_key=(
                revoked_session_key(user_id=user_id, session_id=session_id)
                if session_id is not None
                else None
            ),
            until=min(expires_at, now + VERIFIED_TOKEN_TTL_SECONDS),
        )
        self._verified[authorization] = verified
        return verified


def _bearer_token(authorization: bytes) -> bytes | None:
    scheme, _, token = authorization.partition(b" ")
    token = token.strip()
    return token if scheme.lower() == b"bearer" and token else None
