"""Bearer tokens checked at the edge with the platform's shared JWT verifier.

The services verify the token again (defence in depth); the edge check keeps anonymous
and forged traffic away from them and gives the rate limiter a user to count.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from gateway.problems import Problem
from platform_common.auth.jwt import InvalidToken, KeysUnavailable, Principal
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


class EdgeAuthenticator:
    def __init__(self, verify: Verify) -> None:
        self._verify = verify
        self._verified: dict[bytes, tuple[Principal, float]] = {}

    def is_known(self, authorization: bytes) -> bool:
        """Whether this token was verified recently: checking it again costs nothing."""
        cached = self._verified.get(_bearer_token(authorization) or b"")
        return cached is not None and time.time() < cached[1]

    async def authenticate(self, authorization: bytes | None, *, public: bool) -> Principal | None:
        """The caller, or None on a public route; a present but invalid token is always 401."""
        if authorization is None:
            if public:
                return None
            raise unauthorized(ProblemCode.NOT_AUTHENTICATED)
        token = _bearer_token(authorization)
        if token is None:
            raise unauthorized(ProblemCode.INVALID_TOKEN)
        now = time.time()
        cached = self._verified.get(token)
        if cached is not None and now < cached[1]:
            return cached[0]
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
        self._remember(token, principal, now)
        return principal

    def _remember(self, token: bytes, principal: Principal, now: float) -> None:
        if len(self._verified) >= VERIFIED_TOKEN_CACHE_SIZE:
            self._verified.clear()
        expires_at = float(principal.claims.get("exp", now))
        self._verified[token] = (principal, min(expires_at, now + VERIFIED_TOKEN_TTL_SECONDS))


def _bearer_token(authorization: bytes) -> bytes | None:
    scheme, _, token = authorization.partition(b" ")
    token = token.strip()
    return token if scheme.lower() == b"bearer" and token else None
