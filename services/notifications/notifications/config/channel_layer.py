"""Where the Channels layer finds its Redis: through Sentinel, or at a plain URL.

In a cluster the layer's Redis is a primary with replicas that Sentinel fails over
(the chart's RedisReplication and RedisSentinel): the layer asks the Sentinels for the
current primary at every new connection, so a failover costs a reconnect, not the push
channel. Local development without Sentinel may give a plain ``redis://`` URL instead.
"""

from __future__ import annotations

from typing import Any

from channels_redis.core import RedisChannelLayer
from redis.asyncio.connection import ConnectionPool
from redis.asyncio.sentinel import SentinelConnectionPool

from notifications.config.redis_connection import (
    CancellationSafeConnection,
    CancellationSafeSentinelConnection,
)

# channels-redis waits for messages with a blocking BZPOPMIN of this many seconds
# (RedisChannelLayer.brpop_timeout, not configurable through CONFIG).
BLOCKING_READ_SECONDS = 5
# A best-effort push must not hang on an unreachable Redis or Sentinel.
CONNECT_TIMEOUT_SECONDS = 2


def parse_sentinels(value: str) -> list[tuple[str, int]]:
    """``"host:port,host:port"`` as (host, port) pairs; an empty string is none."""
    sentinels = []
    for entry in value.split(","):
        entry = entry.strip()
        if not entry:
            continue
        host, separator, port = entry.rpartition(":")
        if not separator or not host or not port.isdigit():
            raise ValueError(f"a Sentinel address is host:port, not {entry!r}")
        sentinels.append((host, int(port)))
    return sentinels


def channel_layer_host(*, url: str, sentinels: str, master: str) -> dict[str, Any]:
    """The channels-redis ``hosts`` entry: Sentinel when addresses are given, else ``url``."""
    connection: dict[str, Any] = {
        "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
        # redis-py 8 defaults to a 5 s read timeout, which fires during the layer's own
        # blocking read and kills every idle socket's consumer.
        "socket_timeout": BLOCKING_READ_SECONDS * 2,
    }
    addresses = parse_sentinels(sentinels)
    if addresses:
        return {
            "sentinels": addresses,
            "master_name": master,
            "sentinel_kwargs": {
                "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
                "socket_timeout": CONNECT_TIMEOUT_SECONDS,
            },
            "connection_class": CancellationSafeSentinelConnection,
            **connection,
        }
    # Only redis:// URLs keep the class (rediss:// and unix:// replace it).
    return {"address": url, "connection_class": CancellationSafeConnection, **connection}


class ChannelLayer(RedisChannelLayer):  # type: ignore[misc]
    """channels-redis's layer whose Sentinel clients keep their cancellations too.

    channels-redis builds one Redis client per Sentinel with redis-py's plain connection
    class; the layer asks them for the primary at every new connection, so a consumer's
    receive cancelled during that question could lose its cancellation like any other
    send (see redis_connection.py).
    """

    def create_pool(self, index: int) -> ConnectionPool:
        pool: ConnectionPool = super().create_pool(index)
        if isinstance(pool, SentinelConnectionPool):
            for sentinel in pool.sentinel_manager.sentinels:
                sentinel.connection_pool.connection_class = CancellationSafeConnection
        return pool
