"""Access-token verification for WebSocket handshakes.

Async, so a JWKS fetch never blocks the event loop every socket shares; the process-wide
verifier is the shared library's.
"""

import logging
from dataclasses import dataclass

from platform_common.auth.drf import get_async_verifier
from platform_common.auth.jwt import InvalidToken, KeysUnavailable, Principal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Authentication:
    """Who the handshake proved to be, or why it proved nobody (a problem ``code``)."""

    principal: Principal | None
    error: str | None = None


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
