"""Fan-out of inbox changes to the user's open WebSockets through the channel layer."""

import asyncio
import logging
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar
from uuid import UUID

from channels.layers import get_channel_layer

from notifications.inbox.models import Notification
from notifications.inbox.serializers import NotificationOutputSerializer

logger = logging.getLogger(__name__)

NOTIFICATION_CREATED = "notification.created"
# A push waits at most this long for the channel layer (its Redis connect timeout is 2 s).
PUSH_TIMEOUT_SECONDS = 5.0

T = TypeVar("T")

_push_loop: asyncio.AbstractEventLoop | None = None
_push_loop_pid = 0
_push_loop_lock = threading.Lock()


def _loop() -> asyncio.AbstractEventLoop:
    """The process's event loop for pushes from synchronous code, on its own thread.

    ``async_to_sync`` in a thread without a loop (a Celery worker's, a script's) runs each
    call on a new loop, and the channel layer keeps its Redis connections per loop: every
    push asked Sentinel for the primary and connected again (~5 ms, 90 ms at worst on an
    idle machine instead of 0.3 ms). One long-lived loop keeps them. Keyed by pid: a
    prefork child does not inherit the parent's thread.
    """
    global _push_loop, _push_loop_pid
    with _push_loop_lock:
        if _push_loop is None or _push_loop_pid != os.getpid():
            _push_loop = asyncio.new_event_loop()
            _push_loop_pid = os.getpid()
            threading.Thread(
                target=_push_loop.run_forever, name="channel-layer-push", daemon=True
            ).start()
        return _push_loop


def run_on_push_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on the push loop and wait for it (cancelled after the timeout)."""
    future = asyncio.run_coroutine_threadsafe(coroutine, _loop())
    try:
        return future.result(timeout=PUSH_TIMEOUT_SECONDS)
    except TimeoutError:
        future.cancel()
        raise


def user_group_name(user_id: UUID) -> str:
    return f"user.{user_id}"


def notification_created_push(*, notification: Notification) -> None:
    """Send ``notification`` to every socket of its user.

    Best effort: the row is already committed and listed by the REST API, so a channel
    layer failure is logged instead of failing the caller (and redelivering its event);
    a socket that sees a later sequence number fetches the ones it missed (consumers.py).
    """
    message = {
        "type": NOTIFICATION_CREATED,
        "sequence": notification.sequence,
        "notification": NotificationOutputSerializer(notification).data,
    }
    try:
        run_on_push_loop(
            get_channel_layer().group_send(user_group_name(notification.user_id), message)
        )
    except Exception:
        logger.warning(
            "WebSocket push failed",
            exc_info=True,
            extra={"notification_id": str(notification.id), "user_id": str(notification.user_id)},
        )
