"""DRF authentication with the platform's access tokens: ``request.user`` is a ``Principal``.

One verifier per process (and one async twin), built lazily from settings ``JWKS_URL``,
``JWT_ISSUER``, ``JWT_AUDIENCE``. ``JWT_KEY_PROVIDER`` (optional) is the dotted path of a
zero-argument callable returning a ``KeyProvider``: the accounts service uses it to read
its own keys instead of fetching its own JWKS over HTTP. Changing any of these settings
(e.g. with ``override_settings``) drops the verifiers; ``reset_verifier()`` does it
explicitly.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string
from redis.exceptions import RedisClusterException, RedisError
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from platform_common.auth.jwt import (
    AsyncJWKSClient,
    AsyncTokenVerifier,
    InvalidToken,
    JWKSClient,
    KeyProvider,
    KeysUnavailable,
    Principal,
    TokenVerifier,
)
from platform_common.auth.sessions import revoked_session_key, session_id_of
from platform_common.cache import RedisClusterCache
from platform_common.observability.logging import user_id_var
from platform_common.problems import ProblemCode

logger = logging.getLogger(__name__)

VERIFIER_SETTINGS = frozenset({"JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE", "JWT_KEY_PROVIDER"})
AUTH_SCHEME = "Bearer"
REALM = "platform"

T = TypeVar("T")


class _ProcessWide(Generic[T]):
    """A value built on first use, once even under concurrent first uses; ``reset()``
    forgets it so the next use builds it afresh."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        value = self._value
        if value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._build()
                value = self._value
        return value

    def reset(self) -> None:
        with self._lock:
            self._value = None


class KeySourceUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "Token verification keys are temporarily unavailable."
    default_code = ProblemCode.SERVICE_UNAVAILABLE


def build_key_provider() -> KeyProvider:
    factory_path: str | None = getattr(settings, "JWT_KEY_PROVIDER", None)
    if factory_path:
        provider: KeyProvider = import_string(factory_path)()
        return provider
    return JWKSClient(settings.JWKS_URL)


_verifier = _ProcessWide(
    lambda: TokenVerifier(
        issuer=settings.JWT_ISSUER, audience=settings.JWT_AUDIENCE, keys=build_key_provider()
    )
)
_async_verifier = _ProcessWide(
    lambda: AsyncTokenVerifier(
        issuer=settings.JWT_ISSUER,
        audience=settings.JWT_AUDIENCE,
        keys=AsyncJWKSClient(settings.JWKS_URL),
    )
)


def get_verifier() -> TokenVerifier:
    return _verifier.get()


def get_async_verifier() -> AsyncTokenVerifier:
    """The async twin for WebSocket consumers; it always fetches ``JWKS_URL``."""
    return _async_verifier.get()


def reset_verifier() -> None:
    """Forget the process-wide verifiers and their cached keys (tests, settings changes)."""
    _verifier.reset()
    _async_verifier.reset()


@receiver(setting_changed)
def _reset_on_setting_change(*, setting: str, **kwargs: Any) -> None:
    if setting in VERIFIER_SETTINGS:
        reset_verifier()


def session_revoked(principal: Principal) -> bool:
    """Whether accounts listed the token's session as revoked (``platform_common.auth.
    sessions``): the gateway refuses such tokens at the edge; a service checks too, so a
    request reaching it past the gateway meets the same answer. One Redis call; fails open
    like the gateway (the token then lives until it expires)."""
    session_id = session_id_of(principal.claims)
    if session_id is None:
        return False
    redis_cache = caches["default"]
    if not isinstance(redis_cache, RedisClusterCache):
        return False
    key = revoked_session_key(user_id=principal.id, session_id=session_id)
    try:
        return bool(redis_cache.cluster.exists(key))
    except (RedisError, RedisClusterException) as exc:
        logger.warning("Could not check session revocation: %s", type(exc).__name__)
        return False


class JWTAuthentication(BaseAuthentication):
    """``Authorization: Bearer <access token>``; no header means anonymous, a bad token is 401."""

    def authenticate(self, request: Request) -> tuple[Principal, str] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != AUTH_SCHEME.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header.", code=ProblemCode.INVALID_TOKEN
            )
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(
                "Malformed access token.", code=ProblemCode.INVALID_TOKEN
            ) from exc
        try:
            principal = get_verifier().verify(token)
        except InvalidToken as exc:
            raise exceptions.AuthenticationFailed(exc.detail, code=exc.code) from exc
        except KeysUnavailable as exc:
            raise KeySourceUnavailable() from exc
        if session_revoked(principal):
            raise exceptions.AuthenticationFailed(
                "The session of this access token has ended.", code=ProblemCode.INVALID_TOKEN
            )
        # The caller's id in the rest of the request's log lines.
        user_id_var.set(str(principal.id))
        return principal, token

    def authenticate_header(self, request: Request) -> str:
        return f'{AUTH_SCHEME} realm="{REALM}"'


def request_principal(request: Request) -> Principal:
    """The caller; anonymous is a 401 ``not_authenticated`` (``request.user`` is typed as
    Django's user, so views read the caller here, the one way)."""
    principal = optional_principal(request)
    if principal is None:
        raise exceptions.NotAuthenticated()
    return principal


def optional_principal(request: Request) -> Principal | None:
    """The caller of a view open to anonymous readers; None when anonymous."""
    user: object = request.user
    return user if isinstance(user, Principal) else None


# Registers the OpenAPI security scheme of JWTAuthentication with drf-spectacular.
from platform_common.auth import schema as _openapi_schema  # noqa: E402, F401
