"""The WebSocket a signed-in user keeps open to receive inbox changes as they happen."""

import asyncio
import time
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications.inbox.metrics import messages_received, messages_sent, open_websockets
from notifications.inbox.realtime import NOTIFICATION_CREATED, user_group_name
from notifications.inbox.socket_auth import CLOSE_UNAUTHENTICATED
from platform_common.auth.jwt import Principal


class NotificationConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]  # untyped base
    """Joins the caller's group ``user.<id>`` and forwards what is sent to it.

    ``JWTAuthMiddleware`` lets only authenticated handshakes reach it.
    """

    _expiry: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        principal: Principal = self.scope["principal"]
        subprotocol: str | None = self.scope["auth_subprotocol"]
        group = user_group_name(principal.id)
        # Join before accepting, so nothing created after the handshake can be missed.
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups = [group]
        await self.accept(subprotocol=subprotocol)
        open_websockets.inc()
        self._expiry = asyncio.create_task(self._close_when_expired(principal))

    async def disconnect(self, code: int) -> None:
        # None when the connection dropped before connect() finished.
        if self._expiry is not None:
            self._expiry.cancel()
            open_websockets.dec()

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        messages_received.inc()
        # The stream is server to client only; nothing a client sends has a meaning yet.
        await self.send_json(
            {
                "type": "error",
                "code": "unknown_message",
                "detail": "This endpoint only pushes notifications; it accepts no messages.",
            }
        )

    async def send_json(self, content: Any, close: bool = False) -> None:
        await super().send_json(content, close)
        messages_sent.inc()

    async def notification_created(self, message: dict[str, Any]) -> None:
        await self.send_json(
            {"type": NOTIFICATION_CREATED, "notification": message["notification"]}
        )

    async def _close_when_expired(self, principal: Principal) -> None:
        # A socket must not outlive the token that opened it.
        expires_at = principal.claims.get("exp")
        if not isinstance(expires_at, int | float):
            return
        await asyncio.sleep(max(0.0, expires_at - time.time()))
        await self.close(code=CLOSE_UNAUTHENTICATED, reason="token_expired")
