"""CORS at the edge: an explicit origin allow-list; preflights never reach a service."""

from __future__ import annotations

from gateway.headers import RawHeaders
from gateway.problems import Problem
from platform_common.problems import ProblemCode

ALLOWED_METHODS = b"GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = b"authorization, content-type, idempotency-key, x-request-id, traceparent"
EXPOSED_HEADERS = (
    b"x-request-id, retry-after, www-authenticate, location, ratelimit-limit, "
    b"ratelimit-remaining, ratelimit-reset, ratelimit-policy, idempotent-replayed"
)
PREFLIGHT_MAX_AGE = b"600"


class CorsPolicy:
    def __init__(self, allowed_origins: frozenset[str]) -> None:
        self._allowed = frozenset(origin.encode() for origin in allowed_origins)

    def response_headers(self, origin: bytes | None) -> RawHeaders:
        """Headers for an actual request; none unless the origin is allowed."""
        if origin is None or origin not in self._allowed:
            return []
        return [
            (b"access-control-allow-origin", origin),
            (b"access-control-expose-headers", EXPOSED_HEADERS),
            (b"vary", b"Origin"),
        ]

    def preflight_headers(self, origin: bytes) -> RawHeaders:
        """What a 204 answer to a preflight adds; a refused origin is a 403 problem."""
        if origin not in self._allowed:
            raise Problem(403, ProblemCode.PERMISSION_DENIED, "This origin may not call the API.")
        return [
            (b"access-control-allow-methods", ALLOWED_METHODS),
            (b"access-control-allow-headers", ALLOWED_HEADERS),
            (b"access-control-max-age", PREFLIGHT_MAX_AGE),
        ]
