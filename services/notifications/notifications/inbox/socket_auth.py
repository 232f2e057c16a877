"""JWT authentication of WebSocket handshakes.

Browsers cannot set headers on a WebSocket, so the access token comes either as
``?token=<access>`` or as the subprotocol pair ``Sec-WebSocket-Protocol: bearer, <token>``
(the server then accepts with the subprotocol ``bearer``). The consumer finds the verified
``Principal`` in ``scope["principal"]``.

A handshake that proves nobody is accepted and closed right here, before any consumer
(and its channel layer subscription) exists: a close code can only be delivered on an open
connection, and 4401 tells clients to re-authenticate.
"""

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from notifications.inbox.token_verification import Authentication, authenticate_token

BEARER_SUBPROTOCOL = "bearer"
# Application close codes (4000-4999): 4401 mirrors HTTP 401 so clients re-authenticate.
CLOSE_UNAUTHENTICATED = 4401
# RFC 6455 "try again later": the keys to verify tokens are unreachable, not the client's fault.
CLOSE_TRY_AGAIN_LATER = 1013
# The query parameter that carries the access token.
QUERY_PARAM = "token"


Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class JWTAuthMiddleware:
    """Wraps the WebSocket router, which only ever sees authenticated connections."""

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token, subprotocol = _take_token(scope)
        authentication = await authenticate_token(token)
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


def _take_token(scope: dict[str, Any]) -> tuple[str | None, str | None]:
    """The handshake's token and the subprotocol to accept with (None: no subprotocol)."""
    query_token = _pop_query_token(scope)
    subprotocols: list[str] = scope.get("subprotocols") or []
    if len(subprotocols) >= 2 and subprotocols[0] == BEARER_SUBPROTOCOL:
        return subprotocols[1] or None, BEARER_SUBPROTOCOL
    return query_token or None, None


def _pop_query_token(scope: dict[str, Any]) -> str | None:
    """Remove ``token`` from the server's own scope: uvicorn logs the path with its query
    string, and a token must never reach the logs."""
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    token = next((value for name, value in query if name == QUERY_PARAM), None)
    if token is not None:
        remaining = [(name, value) for name, value in query if name != QUERY_PARAM]
        scope["query_string"] = urlencode(remaining).encode("latin-1")
    return token
