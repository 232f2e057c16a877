"""Which upstream serves a path, and which routes anonymous clients may call."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.config import SERVICES

WEBSOCKET_PREFIX = "/ws/notifications/"
JWKS_PATH = "/.well-known/jwks.json"


@dataclass(frozen=True, slots=True)
class RouteRule:
    method: str
    pattern: re.Pattern[str]

    def matches(self, method: str, path: str) -> bool:
        # HEAD is GET without a body, so it is public wherever GET is.
        allowed = method == self.method or (self.method == "GET" and method == "HEAD")
        return allowed and self.pattern.fullmatch(path) is not None


def _rule(method: str, path_pattern: str) -> RouteRule:
    return RouteRule(method, re.compile(path_pattern))


# Where credentials are tried: a tighter limit keeps guessing and sign-up floods slow.
CREDENTIAL_ROUTES = (
    _rule("POST", r"/api/accounts/register/"),
    _rule("POST", r"/api/accounts/token/"),
    _rule("POST", r"/api/accounts/token/refresh/"),
)
PUBLIC_ROUTES = (
    *CREDENTIAL_ROUTES,
    _rule("GET", re.escape(JWKS_PATH)),
    # Anonymous reads of published articles; the content service filters what is published.
    _rule("GET", r"/api/content/articles/"),
    _rule("GET", r"/api/content/articles/[^/]+/"),
    _rule("GET", r"/api/[a-z]+/schema/"),
)

_API_PREFIXES = {f"/api/{service}/": service for service in SERVICES}


def upstream_service(path: str) -> str | None:
    """The service that serves ``path`` (it serves its full prefix), or None."""
    if path.startswith("/api/"):
        end = path.find("/", 5)
        return _API_PREFIXES.get(path[: end + 1]) if end != -1 else None
    if path == JWKS_PATH:
        return "accounts"
    if path.startswith(WEBSOCKET_PREFIX):
        return "notifications"
    return None


def is_public(method: str, path: str) -> bool:
    return any(route.matches(method, path) for route in PUBLIC_ROUTES)


def is_credential_route(method: str, path: str) -> bool:
    return any(route.matches(method, path) for route in CREDENTIAL_ROUTES)
