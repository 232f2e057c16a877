"""Access-token verification for WebSocket handshakes.

Async, so a JWKS fetch never blocks the event loop every socket shares. One verifier per
process, built lazily from ``JWKS_URL``, ``JWT_ISSUER`` and ``JWT_AUDIENCE`` and dropped
when one of them changes (tests point them at their own key server).
"""

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from platform_common.auth.drf import VERIFIER_SETTINGS
from platform_common.auth.jwt import (
    AsyncJWKSClient,
    AsyncTokenVerifier,
    InvalidToken,
    KeysUnavailable,
    Principal,
)

logger = logging.getLogger(__name__)

_verifier: AsyncTokenVerifier | None = None


@dataclass(frozen=True)
class Authentication:
    """Who the handshake proved to be, or why it proved nobody (a problem ``code``)."""

    principal: Principal | None
    error: str | None = None


def get_async_verifier() -> AsyncTokenVerifier:
    global _verifier
    if _verifier is None:
        _verifier = AsyncTokenVerifier(
            issuer=settings.JWT_ISSUER,
            audience=settings.JWT_AUDIENCE,
            keys=AsyncJWKSClient(settings.JWKS_URL),
        )
    return _verifier


def reset_async_verifier() -> None:
    global _verifier
    _verifier = None


@receiver(setting_changed)
def _reset_on_setting_change(*, setting: str, **kwargs: Any) -> None:
    if setting in VERIFIER_SETTINGS:
        reset_async_verifier()


async def authenticate_token(token: str | None) -> Authentication:
    if not token:
        return Authentication(principal=None, error="not_authenticated")
    try:
        return Authentication(principal=await get_async_verifier().verify(token))
    except InvalidToken as exc:
        return Authentication(principal=None, error=exc.code)
    except KeysUnavailable:
        logger.warning("WebSocket rejected: token verification keys are unavailable")
        return Authentication(principal=None, error="service_unavailable")
