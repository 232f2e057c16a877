"""DRF authentication with the platform's access tokens: ``request.user`` is a ``Principal``.

One verifier per process (and one async twin), built lazily from settings ``JWKS_URL``,
``JWT_ISSUER``, ``JWT_AUDIENCE``. ``JWT_KEY_PROVIDER`` (optional) is the dotted path of a
zero-argument callable returning a ``KeyProvider``: the accounts service uses it to read
its own keys instead of fetching its own JWKS over HTTP. Changing any of these settings
(e.g. with ``override_settings``) drops the verifiers; ``reset_verifier()`` does it
explicitly.
"""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string
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

VERIFIER_SETTINGS = frozenset({"JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE", "JWT_KEY_PROVIDER"})
AUTH_SCHEME = "Bearer"
REALM = "platform"

_verifier: TokenVerifier | None = None
_async_verifier: AsyncTokenVerifier | None = None
_verifier_lock = threading.Lock()


class KeySourceUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "Token verification keys are temporarily unavailable."
    default_code = "service_unavailable"


def build_key_provider() -> KeyProvider:
    factory_path: str | None = getattr(settings, "JWT_KEY_PROVIDER", None)
    if factory_path:
        provider: KeyProvider = import_string(factory_path)()
        return provider
    return JWKSClient(settings.JWKS_URL)


def get_verifier() -> TokenVerifier:
    global _verifier
    if _verifier is None:
        with _verifier_lock:
            if _verifier is None:
                _verifier = TokenVerifier(
                    issuer=settings.JWT_ISSUER,
                    audience=settings.JWT_AUDIENCE,
                    keys=build_key_provider(),
                )
    return _verifier


def get_async_verifier() -> AsyncTokenVerifier:
    """The async twin for WebSocket consumers; it always fetches ``JWKS_URL``."""
    global _async_verifier
    if _async_verifier is None:
        with _verifier_lock:
            if _async_verifier is None:
                _async_verifier = AsyncTokenVerifier(
                    issuer=settings.JWT_ISSUER,
                    audience=settings.JWT_AUDIENCE,
                    keys=AsyncJWKSClient(settings.JWKS_URL),
                )
    return _async_verifier


def reset_verifier() -> None:
    """Forget the process-wide verifiers and their cached keys (tests, settings changes)."""
    global _verifier, _async_verifier
    with _verifier_lock:
        _verifier = None
        _async_verifier = None


@receiver(setting_changed)
def _reset_on_setting_change(*, setting: str, **kwargs: Any) -> None:
    if setting in VERIFIER_SETTINGS:
        reset_verifier()


class JWTAuthentication(BaseAuthentication):
    """``Authorization: Bearer <access token>``; no header means anonymous, a bad token is 401."""

    def authenticate(self, request: Request) -> tuple[Principal, str] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != AUTH_SCHEME.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header.", code="invalid_token"
            )
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(
                "Malformed access token.", code="invalid_token"
            ) from exc
        try:
            principal = get_verifier().verify(token)
        except InvalidToken as exc:
            raise exceptions.AuthenticationFailed(exc.detail, code=exc.code) from exc
        except KeysUnavailable as exc:
            raise KeySourceUnavailable() from exc
        return principal, token

    def authenticate_header(self, request: Request) -> str:
        return f'{AUTH_SCHEME} realm="{REALM}"'


def request_principal(request: Request) -> Principal:
    """The typed caller of an authenticated view (``request.user`` is typed as Django's user)."""
    user: object = request.user
    if not isinstance(user, Principal):
        raise exceptions.NotAuthenticated()
    return user


# Registers the OpenAPI security scheme of JWTAuthentication with drf-spectacular.
from platform_common.auth import schema as _openapi_schema  # noqa: E402, F401
