"""Every path the gateway answers: its own, the redirects, and which upstream serves the rest.

Service APIs are versioned by path: ``/api/v1/<service>/...`` goes to that service with the
path unchanged; an unversioned or unknown version is a 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.config import SERVICES

API_PREFIX = "/api/v1/"
JWKS_PATH = "/.well-known/jwks.json"
# The one WebSocket endpoint (notifications); a query string may follow.
WEBSOCKET_PATH = "/ws/notifications/"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
SCHEMA_PATH = f"{API_PREFIX}schema/"
# The API explorer: its page, its script and the Swagger UI files it loads.
DOCS_PATH = f"{API_PREFIX}docs/"
DOCS_SCRIPT_PATH = f"{DOCS_PATH}explorer.js"
DOCS_ASSETS_PATH = f"{DOCS_PATH}assets"

# Served by the gateway itself, GET and HEAD only: path → rate limited like an anonymous
# API call (the probes are not: a load balancer polls them).
OWN_PATHS = {
    HEALTH_PATH: False,
    READY_PATH: False,
    SCHEMA_PATH: True,
    DOCS_PATH: True,
    DOCS_SCRIPT_PATH: True,
}
OWN_METHODS = frozenset({"GET", "HEAD"})
# Addresses of the documents before versioning: 308 keeps the method and the query.
REDIRECTS = {"/api/schema/": SCHEMA_PATH, "/api/docs/": DOCS_PATH}


@dataclass(frozen=True, slots=True)
class RouteRule:
    method: str
    # A regular expression the whole path must match.
    pattern: str


class RouteTable:
    """Rules looked up at once: a literal path by one set lookup, the patterns by one
    regular expression per method (an alternation), instead of a regex scan per rule."""

    __slots__ = ("_exact", "_patterns")

    def __init__(self, *rules: RouteRule) -> None:
        exact: dict[str, set[str]] = {}
        patterns: dict[str, list[str]] = {}
        for rule in rules:
            literal = _literal(rule.pattern)
            if literal is not None:
                exact.setdefault(rule.method, set()).add(literal)
            else:
                patterns.setdefault(rule.method, []).append(f"(?:{rule.pattern})")
        self._exact = {method: frozenset(paths) for method, paths in exact.items()}
        self._patterns = {
            method: re.compile("|".join(alternatives)) for method, alternatives in patterns.items()
        }

    def matches(self, method: str, path: str) -> bool:
        # HEAD is GET without a body, so it is public wherever GET is.
        if method == "HEAD":
            method = "GET"
        exact = self._exact.get(method)
        if exact is not None and path in exact:
            return True
        pattern = self._patterns.get(method)
        return pattern is not None and pattern.fullmatch(path) is not None


def _literal(pattern: str) -> str | None:
    """The one path ``pattern`` matches, when it has no regular expression syntax."""
    return None if any(char in _REGEX_SYNTAX for char in pattern) else pattern


_REGEX_SYNTAX = frozenset(".^$*+?{}[]|()\\")


def _rule(method: str, path_pattern: str) -> RouteRule:
    return RouteRule(method, path_pattern)


# Where credentials are tried or mail is sent: a tighter limit keeps guessing, sign-up
# floods and mail bombing slow.
CREDENTIAL_ROUTES = (
    _rule("POST", r"/api/v1/accounts/register/"),
    _rule("POST", r"/api/v1/accounts/token/"),
    _rule("POST", r"/api/v1/accounts/token/refresh/"),
    _rule("POST", r"/api/v1/accounts/token/mfa/"),
    _rule("POST", r"/api/v1/accounts/email/verify/"),
    _rule("POST", r"/api/v1/accounts/email/verify/resend/"),
    _rule("POST", r"/api/v1/accounts/password/reset/"),
    _rule("POST", r"/api/v1/accounts/password/reset/confirm/"),
)
# Stricter still, each group with its own per-IP quota (on top of the credential one): the
# routes that mail someone (a reset or verification link: mail bombing, and the answer is
# the same for every email anyway) and the second factor of a login (6 digits to guess).
MAIL_ROUTES = (
    _rule("POST", r"/api/v1/accounts/email/verify/resend/"),
    _rule("POST", r"/api/v1/accounts/password/reset/"),
)
MFA_ROUTES = (_rule("POST", r"/api/v1/accounts/token/mfa/"),)
STRICT_ROUTES = {"mail": MAIL_ROUTES, "mfa": MFA_ROUTES}

PUBLIC_ROUTES = (
    *CREDENTIAL_ROUTES,
    _rule("GET", re.escape(JWKS_PATH)),
    # Anonymous reads of published articles; the content service filters what is published.
    _rule("GET", r"/api/v1/content/articles/"),
    _rule("GET", r"/api/v1/content/articles/[^/]+/"),
    _rule("GET", r"/api/v1/content/articles/by-slug/[^/]+/"),
    # The taxonomy is public too (writes stay authenticated).
    _rule("GET", r"/api/v1/content/(categories|tags)/"),
    _rule("GET", r"/api/v1/content/(categories|tags)/[^/]+/"),
    _rule("GET", r"/api/v1/[a-z]+/schema/"),
    # Avatars, shown to anyone who sees their owner's name (random names, never listed).
    _rule("GET", r"/api/v1/accounts/avatars/[0-9a-f]{32}\.(?:jpg|png|webp)"),
    # Cover images of articles, where content stores them itself (random names, never listed).
    _rule("GET", r"/api/v1/content/covers/[0-9a-f]{32}\.(?:jpg|png|webp)"),
)

_API_PREFIXES = {f"{API_PREFIX}{service}/": service for service in SERVICES}
_SERVICE_START = len(API_PREFIX)


def upstream_service(path: str) -> str | None:
    """The service that serves ``path`` over HTTP (it serves its full prefix), or None."""
    if path.startswith(API_PREFIX):
        end = path.find("/", _SERVICE_START)
        return _API_PREFIXES.get(path[: end + 1]) if end != -1 else None
    if path == JWKS_PATH:
        return "accounts"
    return None


def own_path_limited(path: str) -> bool | None:
    """Whether the gateway's own ``path`` is rate limited; None when it is not its own."""
    if path.startswith(DOCS_ASSETS_PATH + "/"):
        return True
    return OWN_PATHS.get(path)


_PUBLIC = RouteTable(*PUBLIC_ROUTES)
_CREDENTIALS = RouteTable(*CREDENTIAL_ROUTES)
_STRICT = {name: RouteTable(*routes) for name, routes in STRICT_ROUTES.items()}


def is_public(method: str, path: str) -> bool:
    return _PUBLIC.matches(method, path)


def is_credential_route(method: str, path: str) -> bool:
    return _CREDENTIALS.matches(method, path)


def strict_quota(method: str, path: str) -> str | None:
    """The name of the stricter quota of this route (``mail``, ``mfa``), if it has one."""
    for name, table in _STRICT.items():
        if table.matches(method, path):
            return name
    return None
