"""JWT authentication of WebSocket handshakes.

The access token comes as the ``Authorization`` header, the subprotocol pair
``bearer, <token>`` or ``?access_token=``, by the same rule as at the gateway
(``platform_common.auth.websocket``); browsers rather send ``?ticket=`` (``tickets.py``),
which decides alone. Token and ticket are removed from the scope's query string: uvicorn
logs the path with its query, and neither must ever reach the logs. The consumer finds the
verified ``Principal`` in ``scope["principal"]``.

A handshake that proves nobody is accepted and closed right here, before any consumer
(and its channel layer subscription) exists: a close code can only be delivered on an open
connection, and 4401 tells clients to re-authenticate.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from redis.exceptions import RedisError

from notifications.inbox.tickets import ws_ticket_redeem
from notifications.inbox.token_verification import Authentication, authenticate_token
from platform_common.auth.drf import session_revoked
from platform_common.auth.websocket import HandshakeToken, handshake_token

logger = logging.getLogger(__name__)

# Application close codes (4000-4999): 4401 mirrors HTTP 401 so clients re-authenticate.
CLOSE_UNAUTHENTICATED = 4401
# The close reason of a ticket that is unknown, already used or expired (all look alike
# once Redis has forgotten it); the close code is CLOSE_UNAUTHENTICATED.
INVALID_TICKET = "invalid_ticket"
# RFC 6455 "try again later": the keys to verify tokens are unreachable, not the client's fault.
CLOSE_TRY_AGAIN_LATER = 1013


Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class JWTAuthMiddleware:
    """Wraps the WebSocket router, which only ever sees authenticated connections."""

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handshake = _take_credentials(scope)
        subprotocol = handshake.subprotocol
        if handshake.ticket is not None:
            authentication = await _authenticate_ticket(handshake.ticket)
        else:
            authentication = await authenticate_token(handshake.token)
        if authentication.principal is not None and await sync_to_async(session_revoked)(
            authentication.principal
        ):
            # As on REST: a session ended by logout or a password change opens no socket.
            authentication = Authentication(principal=None, error="invalid_token")
        if authentication.principal is None:
            await _reject(authentication, subprotocol, receive, send)
            return
        scope = dict(scope, principal=authentication.principal, auth_subprotocol=subprotocol)
        await self.inner(scope, receive, send)


async def _reject(
    authentication: Authentication, subprotocol: str | None, receive: Receive, send: Send
) -> None:
    if (await receive())["type"] != "websocket.connect":
        return
    unavailable = authentication.error == "service_unavailable"
    await send({"type": "websocket.accept", "subprotocol": subprotocol})
    await send(
        {
            "type": "websocket.close",
            "code": CLOSE_TRY_AGAIN_LATER if unavailable else CLOSE_UNAUTHENTICATED,
            "reason": authentication.error,
        }
    )


async def _authenticate_ticket(ticket: str) -> Authentication:
    try:
        principal = await sync_to_async(ws_ticket_redeem, thread_sensitive=False)(ticket=ticket)
    except RedisError:
        logger.warning("WebSocket rejected: the ticket store is unavailable")
        return Authentication(principal=None, error="service_unavailable")
    if principal is None:
        return Authentication(principal=None, error=INVALID_TICKET)
    return Authentication(principal=principal)


def _take_credentials(scope: dict[str, Any]) -> HandshakeToken:
    """The handshake's token or ticket, and the subprotocol to accept with (None: none)."""
    authorization = next(
        (value for name, value in scope.get("headers", []) if name == b"authorization"), None
    )
    handshake = handshake_token(
        query_string=scope.get("query_string", b""),
        subprotocols=scope.get("subprotocols") or [],
        authorization=authorization,
    )
    scope["query_string"] = handshake.query_string
    return handshake
