"""Fixed-window rate limits with counters in the Redis Cluster.

A client's window starts with its first counted request and lasts ``window_seconds`` (the
counter's expiry), rather than at multiples of the window on the clock: a client's
requests in quick succession are always counted in one window, and clients' windows do
not all end in the same second.

The limiter fails open: a rate limit protects the upstreams, it must not take the
platform down with Redis. After a Redis error it stops asking Redis for a short while,
so requests never queue behind socket timeouts.

Answers carry the rate limit fields of draft-ietf-httpapi-ratelimit-headers-06
(``RateLimit-Limit``, ``RateLimit-Remaining``, ``RateLimit-Reset``, ``RateLimit-Policy``),
computed from the counts and expiries the one script call returns: no second round trip.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from gateway.headers import RawHeaders

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Quota:
    """One counted limit: ``limit`` requests per window, ``used`` so far, this one included,
    and ``reset`` seconds until its window ends."""

    limit: int
    used: int
    reset: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def exceeded(self) -> bool:
        return self.used > self.limit


@dataclass(frozen=True, slots=True)
class Decision:
    quotas: tuple[Quota, ...]
    window: int
    # Which of the keys the caller asked to look at exist (``hit(..., watch=)``).
    present: frozenset[str] = frozenset()

    @property
    def allowed(self) -> bool:
        return not any(quota.exceeded for quota in self.quotas)

    def merged(self, other: Decision | None) -> Decision:
        """Both decisions' quotas (one request counted under two identities)."""
        if other is None:
            return self
        return Decision(
            quotas=self.quotas + other.quotas,
            window=self.window,
            present=self.present | other.present,
        )

    def headers(self) -> RawHeaders:
        """The fields for the quota closest to exhaustion, and every quota's policy."""
        tightest = min(self.quotas, key=lambda quota: (quota.remaining, quota.limit))
        policy = ", ".join(f"{quota.limit};w={self.window}" for quota in self.quotas)
        headers = [
            (b"ratelimit-limit", str(tightest.limit).encode()),
            (b"ratelimit-remaining", str(tightest.remaining).encode()),
            (b"ratelimit-reset", str(tightest.reset).encode()),
            (b"ratelimit-policy", policy.encode()),
        ]
        if not self.allowed:
            # Every exceeded quota must have started again.
            retry_after = max(quota.reset for quota in self.quotas if quota.exceeded)
            headers.append((b"retry-after", str(retry_after).encode()))
        return headers


# INCR of every counter (the first ARGV[2] keys), the expiry of a new one, and each one's
# seconds left, then whether each further key exists, in one atomic round trip: measured
# faster than a cluster pipeline in redis-py, and a counter can never be left without its
# expiry.
COUNT_IN_WINDOW = """
local counted = {}
local counters = tonumber(ARGV[2])
for i = 1, counters do
    local key = KEYS[i]
    local count = redis.call('INCR', key)
    local ttl = redis.call('TTL', key)
    if ttl < 0 then
        redis.call('EXPIRE', key, ARGV[1])
        ttl = tonumber(ARGV[1])
    end
    counted[2 * i - 1] = count
    counted[2 * i] = ttl
end
for i = counters + 1, #KEYS do
    counted[#counted + 1] = redis.call('EXISTS', KEYS[i])
end
return counted
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

    async def hit(
        self, identity: str, limits: Mapping[str, int], *, watch: Sequence[str] = ()
    ) -> Decision | None:
        """Count one request of ``identity`` (``user:<sub>`` or ``ip:<addr>``) against each
        named limit (requests per window); refused when any of them is exceeded. None while
        Redis is unavailable: the request passes, uncounted.

        ``watch``: keys in the identity's slot (hash tag ``{<identity>}``) whose existence
        the same round trip reports in ``Decision.present``."""
        if time.time() < self._paused_until:
            return None
        # The hash tag puts every counter of one identity in one slot, so one script call
        # on one node counts them all.
        counters = [f"{self._key_prefix}:{{{identity}}}:{name}" for name in limits]
        keys = [*counters, *watch]
        try:
            counted = await self._redis.eval(
                COUNT_IN_WINDOW, len(keys), *keys, self._window, len(counters)
            )
        except Exception as error:
            # Not only RedisError: redis-py also raises RuntimeError from a connection
            # closed under it (seen under load). No Redis failure may fail a request.
            self._pause(error)
            return None
        quotas = tuple(
            Quota(limit=limit, used=int(counted[2 * i]), reset=max(1, int(counted[2 * i + 1])))
            for i, limit in enumerate(limits.values())
        )
        offset = 2 * len(counters)
        present = frozenset(key for i, key in enumerate(watch) if int(counted[offset + i]))
        return Decision(quotas=quotas, window=self._window, present=present)

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
