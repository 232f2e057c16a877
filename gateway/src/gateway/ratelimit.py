"""Fixed-window rate limits with counters in the Redis Cluster.

The limiter fails open: a rate limit protects the upstreams, it must not take the
platform down with Redis. After a Redis error it stops asking Redis for a short while,
so requests never queue behind socket timeouts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass

from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: int


ALLOW = Decision(allowed=True, retry_after=0)

# INCR and EXPIRE of every counter in one atomic round trip: measured faster than a
# cluster pipeline in redis-py, and a counter can never be left without its expiry.
COUNT_IN_WINDOW = """
local counts = {}
for i, key in ipairs(KEYS) do
    counts[i] = redis.call('INCR', key)
    if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[1]) end
end
return counts
"""


def connect_cluster(url: str, *, timeout: float) -> RedisCluster:
    """A cluster client that gives up fast: the caller has a request waiting."""
    return RedisCluster.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), retries=0),
    )


class RateLimiter:
    def __init__(
        self,
        redis: RedisCluster,
        *,
        window_seconds: int,
        key_prefix: str = "ratelimit",
        pause_after_error_seconds: float = 5.0,
    ) -> None:
        self._redis = redis
        self._window = window_seconds
        self._key_prefix = key_prefix
        self._pause_after_error = pause_after_error_seconds
        self._paused_until = 0.0

    async def hit(self, identity: str, limits: Mapping[str, int]) -> Decision:
        """Count one request of ``identity`` (``user:<sub>`` or ``ip:<addr>``) against each
        named limit (requests per window); refused when any of them is exceeded."""
        now = time.time()
        if now < self._paused_until:
            return ALLOW
        window = int(now // self._window)
        # The hash tag puts every counter of one identity in one slot, so one script call
        # on one node counts them all.
        keys = [f"{self._key_prefix}:{{{identity}}}:{name}:{window}" for name in limits]
        try:
            counts = await self._redis.eval(COUNT_IN_WINDOW, len(keys), *keys, self._window)
        except Exception as error:
            # Not only RedisError: redis-py also raises RuntimeError from a connection
            # closed under it (seen under load). No Redis failure may fail a request.
            self._pause(error)
            return ALLOW
        if all(int(count) <= limit for count, limit in zip(counts, limits.values(), strict=True)):
            return ALLOW
        return Decision(allowed=False, retry_after=max(1, (window + 1) * self._window - int(now)))

    def _pause(self, error: Exception) -> None:
        now = time.time()
        if now < self._paused_until:
            return  # another request already reported this outage
        self._paused_until = now + self._pause_after_error
        logger.warning(
            "rate limiting paused for %.0fs: Redis Cluster unavailable (%s: %s)",
            self._pause_after_error,
            type(error).__name__,
            error,
        )
