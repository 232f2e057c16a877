"""The WebSocket a signed-in user keeps open to receive inbox changes as they happen.

Every notification frame carries the user's sequence number. A client reconnecting with
``?since=<last sequence it saw>`` first receives what it missed, read from the database,
then a ``synced`` frame, then live frames: the consumer joins the user's group before it
reads, and drops a live frame it has already sent, so nothing is missed or sent twice.
A live frame further ahead than the next number means the channel layer lost or
reordered one: the missing ones are read from the database first.

Frames go out through a bounded queue: a client that stops reading is cut with 4408
instead of the process buffering for it. A user has at most ``WS_MAX_SOCKETS_PER_USER``
sockets per process (4429 above it). The server sends a ``heartbeat`` frame every
``WS_HEARTBEAT_SECONDS``; a client may send ``{"type": "ping"}`` (answered ``pong``).
Anything else is answered with an ``error`` frame; ``WS_MAX_BAD_FRAMES`` of those close
the socket with 1008.
"""

import asyncio
import contextlib
import json
import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qs
from uuid import UUID

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from notifications.inbox.metrics import messages_received, messages_sent, open_websockets
from notifications.inbox.models import Notification
from notifications.inbox.realtime import NOTIFICATION_CREATED, user_group_name
from notifications.inbox.selectors import notification_last_sequence, notification_list_after
from notifications.inbox.serializers import NotificationOutputSerializer
from notifications.inbox.socket_auth import CLOSE_UNAUTHENTICATED
from platform_common.auth.jwt import Principal

# Application close codes (4000-4999), mirroring HTTP statuses.
CLOSE_BAD_REQUEST = 4400  # an unreadable ?since=
CLOSE_SLOW_CONSUMER = 4408  # the client did not read its frames in time
CLOSE_TOO_MANY_SOCKETS = 4429  # the user already has WS_MAX_SOCKETS_PER_USER here
CLOSE_POLICY_VIOLATION = 1008  # too many frames the server cannot read
# A close frame for a client that stopped reading may never get out: wait this long.
CLOSE_SEND_SECONDS = 1.0
# Notifications read from the database per query during a resync.
RESYNC_PAGE = 200

SYNCED = "synced"
HEARTBEAT = "heartbeat"

# Open sockets of each user in this process.
_sockets_per_user: Counter[UUID] = Counter()


def _notification_frame(notification: Notification) -> dict[str, Any]:
    return {
        "type": NOTIFICATION_CREATED,
        "sequence": notification.sequence,
        "notification": NotificationOutputSerializer(notification).data,
    }


@database_sync_to_async  # type: ignore[untyped-decorator]
def _missed(user_id: UUID, after: int, before: int | None) -> list[dict[str, Any]]:
    page = notification_list_after(user_id=user_id, after=after, before=before, limit=RESYNC_PAGE)
    return [_notification_frame(notification) for notification in page]


@database_sync_to_async  # type: ignore[untyped-decorator]
def _last_sequence(user_id: UUID) -> int:
    return notification_last_sequence(user_id=user_id)


class NotificationConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]  # untyped base
    """Joins the caller's group ``user.<id>`` and forwards what is sent to it, in sequence.

    ``JWTAuthMiddleware`` lets only authenticated handshakes reach it.
    """

    _user_id: UUID | None = None
    _tasks: tuple[asyncio.Task[None], ...] = ()

    async def connect(self) -> None:
        principal: Principal = self.scope["principal"]
        subprotocol: str | None = self.scope["auth_subprotocol"]
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue(
            maxsize=settings.WS_SEND_QUEUE_FRAMES
        )
        self._bad_frames = 0
        self._sent = 0  # the sequence number of the last notification sent
        if _sockets_per_user[principal.id] >= settings.WS_MAX_SOCKETS_PER_USER:
            await self.accept(subprotocol=subprotocol)
            await self.close(code=CLOSE_TOO_MANY_SOCKETS, reason="too_many_connections")
            return
        since = _since(self.scope.get("query_string", b""))
        if since == -1:
            await self.accept(subprotocol=subprotocol)
            await self.close(code=CLOSE_BAD_REQUEST, reason="invalid_since")
            return
        self._user_id = principal.id
        _sockets_per_user[principal.id] += 1
        open_websockets.inc()
        group = user_group_name(principal.id)
        # Join before reading the database, so nothing committed after the read is missed.
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups = [group]
        # Read before accepting: a client without ?since= gets everything created after
        # its handshake completed, live.
        last = await _last_sequence(principal.id)
        await self.accept(subprotocol=subprotocol)
        self._tasks = (
            asyncio.create_task(self._write()),
            asyncio.create_task(self._heartbeat()),
            asyncio.create_task(self._close_when_expired(principal)),
        )
        if since is None:
            self._sent = last
            return
        # A client ahead of the database (it was reset) starts over from the latest.
        self._sent = min(since, last)
        await self._send_missed(before=None)
        await self._outbox.put({"type": SYNCED, "sequence": self._sent})

    async def disconnect(self, code: int) -> None:
        for task in self._tasks:
            task.cancel()
        if self._user_id is not None:
            _sockets_per_user[self._user_id] -= 1
            if not _sockets_per_user[self._user_id]:
                del _sockets_per_user[self._user_id]
            self._user_id = None
            open_websockets.dec()

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        messages_received.inc()
        try:
            message = json.loads(text_data) if text_data is not None else None
        except ValueError:
            message = None
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "ping":
            await self._enqueue({"type": "pong", "sequence": self._sent})
            return
        self._bad_frames += 1
        if self._bad_frames > settings.WS_MAX_BAD_FRAMES:
            await self._close_now(CLOSE_POLICY_VIOLATION, "too_many_bad_frames")
            return
        # The stream is server to client; a client only ever pings.
        await self._enqueue(
            {
                "type": "error",
                "code": "unknown_message",
                "detail": 'This endpoint only pushes notifications; it accepts {"type": "ping"}.',
            }
        )

    async def notification_created(self, message: dict[str, Any]) -> None:
        sequence = message.get("sequence")
        if not isinstance(sequence, int) or sequence <= self._sent:
            return  # already sent (by the resync, or a duplicate push)
        if sequence > self._sent + 1:
            await self._send_missed(before=sequence)
        self._sent = sequence
        frame = {"type": NOTIFICATION_CREATED, "sequence": sequence}
        await self._enqueue({**frame, "notification": message["notification"]})

    async def _send_missed(self, *, before: int | None) -> None:
        """Queue, from the database, the notifications after ``self._sent`` (below ``before``)."""
        assert self._user_id is not None
        while True:
            frames = await _missed(self._user_id, self._sent, before)
            for frame in frames:
                if before is None:
                    # A resync waits for room: it is as fast as the client reads.
                    await self._outbox.put(frame)
                else:
                    # Filling a gap among live frames: no waiting on a client that stalls.
                    await self._enqueue(frame)
                self._sent = frame["sequence"]
            if len(frames) < RESYNC_PAGE:
                return

    async def _enqueue(self, frame: dict[str, Any]) -> None:
        try:
            self._outbox.put_nowait(frame)
        except asyncio.QueueFull:
            await self._close_now(CLOSE_SLOW_CONSUMER, "slow_consumer")

    async def _close_now(self, code: int, reason: str) -> None:
        """Close without sending what is queued, leave the group and end the consumer."""
        if self._tasks:
            self._tasks[0].cancel()  # the writer
        # A client that does not read may never let the close frame out.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.close(code=code, reason=reason), CLOSE_SEND_SECONDS)
        # Ends as if the client had gone (raises StopConsumer): no waiting for its answer.
        await self.websocket_disconnect({"code": code})

    async def _write(self) -> None:
        while True:
            frame = await self._outbox.get()
            await super().send_json(frame)
            messages_sent.inc()

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(settings.WS_HEARTBEAT_SECONDS)
            # A full queue is a client about to be cut; the heartbeat is not needed then.
            if not self._outbox.full():
                self._outbox.put_nowait({"type": HEARTBEAT, "sequence": self._sent})

    async def _close_when_expired(self, principal: Principal) -> None:
        # A socket must not outlive the token that opened it.
        expires_at = principal.claims.get("exp")
        if not isinstance(expires_at, int | float):
            return
        await asyncio.sleep(max(0.0, expires_at - time.time()))
        await self.close(code=CLOSE_UNAUTHENTICATED, reason="token_expired")


def _since(query_string: bytes) -> int | None:
    """``?since=`` as a sequence number; None when absent, -1 when unreadable."""
    values = parse_qs(query_string.decode("latin-1")).get("since")
    if not values:
        return None
    value = values[0]
    return int(value) if value.isdigit() and len(value) < 19 else -1
