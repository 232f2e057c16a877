"""redis-py connections that do not lose a task's cancellation while sending.

On Python 3.11, ``asyncio.wait_for`` swallows a cancellation that arrives after the
awaited task has finished but before ``wait_for`` resumes (CPython gh-86296, fixed in
3.12, where ``wait_for`` is built on ``asyncio.timeout``). redis-py's
``redis.asyncio.connection.AbstractConnection.send_packed_command`` sends every command
through ``asyncio.wait_for`` whenever ``socket_timeout`` is set, so a task cancelled
right then carries on with the next command as if nothing had happened.

That is what made WebSocket consumers outlive their clients: channels' consumer cancels
its channel layer ``receive()`` when the socket closes and waits for it to end; a receive
that lost its cancellation in that window stays in channels_redis's
``RedisChannelLayer.receive_single`` loop (a 5 s ``BZPOPMIN`` after another) for good,
holding the layer's receive lock and a Redis connection, and the server never shuts down.

The fix is needed by both kinds of connection the channel layer uses: a plain one (a
``redis://`` URL) and one whose address Sentinel gives (replication with failover).
"""

import asyncio
from collections.abc import Iterable

from redis.asyncio.connection import AbstractConnection, Connection
from redis.asyncio.sentinel import SentinelManagedConnection


class _CancellationSafeSend(AbstractConnection):
    """Re-raises a cancellation that ``asyncio.wait_for`` swallowed during a send."""

    async def send_packed_command(
        self, command: bytes | str | Iterable[bytes], check_health: bool = True
    ) -> None:
        task = asyncio.current_task()
        cancel_requests = task.cancelling() if task is not None else 0
        await super().send_packed_command(command, check_health)
        if task is not None and task.cancelling() > cancel_requests:
            # The command went out but its reply will never be read: the connection
            # cannot be reused, as redis-py does when a send is interrupted.
            await self.disconnect(nowait=True)
            raise asyncio.CancelledError


class CancellationSafeConnection(_CancellationSafeSend, Connection):
    """A plain TCP connection (``redis://`` URLs) with the fix."""


class CancellationSafeSentinelConnection(_CancellationSafeSend, SentinelManagedConnection):
    """A connection to the master Sentinel names, with the fix."""
