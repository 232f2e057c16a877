"""Who passes the edge: rate limits counted in an order that keeps abuse cheap.

- Credential routes (register, token, refresh) count per client IP only, whatever token
  is attached: a pile of self-registered tokens buys no extra logins. The routes that mail
  a link (password reset, verification resend) and the second factor of a login count in
  a stricter quota of their own on top (``routes.STRICT_ROUTES``).
- A token the edge has not verified recently costs an RSA check, so it is counted per
  client IP (``token_checks``) before the check: a flood of forged tokens gets 429, not an
  unlimited number of 401s. A known token skips this count.
- Everything else counts per user when the token is valid, else per client IP.

The limiter counts in the process and reconciles with Redis in the background
(``ratelimit``): a client's steady traffic costs no Redis round trip per request; its first
request, or one after a pause, asks Redis once per counted identity (IP before the RSA
check, user after it).

The per-user count also asks whether the token's session was revoked (accounts lists
revoked sessions in the same Redis Cluster slot, ``platform_common.auth.sessions``): a
revoked session's access tokens are refused within seconds, at no extra round trip. While
Redis is unavailable nothing is counted or refused: such a token lives until it expires.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.auth import EdgeAuthenticator, unauthorized
from gateway.config import Settings
from gateway.headers import RawHeaders
from gateway.metrics import rate_limited
from gateway.problems import Problem
from gateway.ratelimit import Decision, RateLimiter
from gateway.routes import is_credential_route, strict_quota
from platform_common.auth.jwt import Principal
from platform_common.problems import ProblemCode


@dataclass(frozen=True, slots=True)
class Limits:
    """Requests per window."""

    anonymous: int
    authenticated: int
    credentials: int
    token_checks: int
    # The stricter quotas of routes.STRICT_ROUTES, by name.
    mail: int
    mfa: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            anonymous=settings.rate_limit_anonymous,
            authenticated=settings.rate_limit_authenticated,
            credentials=settings.rate_limit_credentials,
            token_checks=settings.rate_limit_token_checks,
            mail=settings.rate_limit_mail,
            mfa=settings.rate_limit_mfa,
        )

    def strict(self, name: str) -> int:
        return {"mail": self.mail, "mfa": self.mfa}[name]


@dataclass(frozen=True, slots=True)
class Admitted:
    principal: Principal | None
    # The principal's id as text, for the log lines and the WebSocket caps.
    user_id: str | None
    # Whose request this is: ``user:<sub>``, else ``ip:<addr>``.
    caller: str
    # RateLimit fields for the answer; none while Redis is unavailable (nothing counted).
    headers: RawHeaders


class Admission:
    def __init__(
        self, authenticator: EdgeAuthenticator, limiter: RateLimiter, limits: Limits
    ) -> None:
        self._authenticator = authenticator
        self._limiter = limiter
        self._limits = limits
        self._per_user = {"authenticated": limits.authenticated}

    async def admit(
        self,
        *,
        method: str,
        path: str,
        client_ip: str,
        authorization: bytes | None,
        public: bool,
    ) -> Admitted:
        """The caller once counted and authenticated; raises 429 or 401 as a Problem."""
        limits = self._limits
        authenticator = self._authenticator
        credential_route = is_credential_route(method, path)
        per_ip: dict[str, int] = {}
        # The names label the 429s in the metrics (and end the counters' keys).
        if credential_route or authorization is None:
            per_ip["anonymous"] = limits.anonymous
        if credential_route:
            per_ip["credentials"] = limits.credentials
        strict = strict_quota(method, path)
        if strict is not None:
            per_ip[strict] = limits.strict(strict)
        verified = authenticator.known(authorization) if authorization is not None else None
        if authorization is not None and verified is None:
            per_ip["token_checks"] = limits.token_checks
        decision: Decision | None = None
        if per_ip:
            decision = _checked(await self._limiter.hit(f"ip:{client_ip}", per_ip))
        if verified is None:
            verified = await authenticator.authenticate(authorization, public=public)
        if verified is None:
            return Admitted(
                principal=None,
                user_id=None,
                caller=f"ip:{client_ip}",
                headers=decision.headers() if decision else [],
            )
        if not credential_route:
            revoked = verified.revoked_key
            counted = await self._limiter.hit(
                verified.identity, self._per_user, watch=(revoked,) if revoked else ()
            )
            if counted is not None and revoked in counted.present:
                raise unauthorized(ProblemCode.INVALID_TOKEN)
            decision = _checked(counted.merged(decision) if counted else decision)
        return Admitted(
            principal=verified.principal,
            user_id=verified.user_id,
            caller=verified.identity,
            headers=decision.headers() if decision else [],
        )

    async def close(self) -> None:
        """Hand the cluster the counts this process still holds (at shutdown)."""
        await self._limiter.close()


def _checked(decision: Decision | None) -> Decision | None:
    if decision is not None and not decision.allowed:
        for quota in decision.quotas:
            if quota.exceeded:
                rate_limited(quota.name)
        raise Problem(
            429,
            ProblemCode.RATE_LIMITED,
            "Too many requests; retry later.",
            headers=decision.headers(),
        )
    return decision
