"""Fixed-window rate limits, counted in this process and reconciled with the Redis Cluster.

A client's window starts with its first counted request and lasts ``window_seconds`` (the
counter's expiry), rather than at multiples of the window on the clock: a client's
requests in quick succession are always counted in one window, and clients' windows do
not all end in the same second.

Counting without a round trip per request: the first request of a client (or one after a
pause of more than ``2 * sync_seconds``) asks the cluster, which returns the window's count
and expiry. Further requests are counted here against that figure, and every
``sync_seconds`` (0.1 s) a background task adds this process's new counts to the cluster
and reads back the total, which includes the other replicas'. So one replica decides
exactly. Across replicas a decision rests on a cluster count at most ``2 * sync_seconds``
old, which lacks what the other replicas counted since their last sync: a client can pass
its limit by at most the requests it sent to the *other* replicas in the last ``3 *
sync_seconds`` (0.3 s). Every request is counted in the cluster in the end; a race only
ever counts one twice (a refusal too early), never not at all.

The limiter fails open: a rate limit protects the upstreams, it must not take the
platform down with Redis. After a Redis error it stops asking Redis for a short while,
so requests never queue behind socket timeouts.

Answers carry the rate limit fields of draft-ietf-httpapi-ratelimit-headers-06
(``RateLimit-Limit``, ``RateLimit-Remaining``, ``RateLimit-Reset``, ``RateLimit-Policy``),
computed from the counts and expiries: no second round trip.

A caller may also *watch* keys in an identity's slot (the gateway watches the revoked-session
key of the token's session): their existence is read by the same script calls, on the first
request and on every sync while the identity is counted, so a key set in Redis is seen
within about ``sync_seconds``, at no extra round trip.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeGuard

from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from gateway.headers import RawHeaders

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Quota:
    """One counted limit, by ``name``: ``limit`` requests per window, ``used`` so far, this
    one included, and ``reset`` seconds until its window ends."""

    name: str
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
    # The watched keys that exist (``RateLimiter.hit(watch=...)``).
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
        headers = [
            (b"ratelimit-limit", str(tightest.limit).encode()),
            (b"ratelimit-remaining", str(tightest.remaining).encode()),
            (b"ratelimit-reset", str(tightest.reset).encode()),
            (
                b"ratelimit-policy",
                _policy(tuple(quota.limit for quota in self.quotas), self.window),
            ),
        ]
        if not self.allowed:
            # Every exceeded quota must have started again.
            retry_after = max(quota.reset for quota in self.quotas if quota.exceeded)
            headers.append((b"retry-after", str(retry_after).encode()))
        return headers


@functools.lru_cache(maxsize=64)
def _policy(limits: tuple[int, ...], window: int) -> bytes:
    """``RateLimit-Policy``: the same few combinations of limits on every answer."""
    return ", ".join(f"{limit};w={window}" for limit in limits).encode()


# INCRBY of every counter, the expiry of a new one, and each one's milliseconds left, then
# whether each watched key exists, in one atomic round trip: measured faster than a cluster
# pipeline in redis-py, and a counter can never be left without its expiry. ARGV: the
# window in ms, then the increment of each counter; the KEYS after the counters are watched.
COUNT_IN_WINDOW = """
local counted = {}
local counters = #ARGV - 1
for i = 1, counters do
    local key = KEYS[i]
    local count = redis.call('INCRBY', key, ARGV[i + 1])
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then
        redis.call('PEXPIRE', key, ARGV[1])
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
SYNC_SECONDS = 0.1


def connect_cluster(url: str, *, timeout: float) -> RedisCluster:
    """A cluster client that gives up fast: the caller has a request waiting."""
    return RedisCluster.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), retries=0),
    )


@dataclass(slots=True)
class _Counter:
    """One counter as this process knows it (times on the monotonic clock)."""

    key: str
    # The cluster's count when last asked (this process's earlier counts included) ...
    synced: int
    synced_at: float
    # ... and what this process counted since, not yet added to the cluster's.
    pending: int
    ends_at: float

    @property
    def used(self) -> int:
        return self.synced + self.pending


class RateLimiter:
    def __init__(
        self,
        redis: RedisCluster,
        *,
        window_seconds: int,
        key_prefix: str = "ratelimit",
        pause_after_error_seconds: float = 5.0,
        sync_seconds: float = SYNC_SECONDS,
    ) -> None:
        self._redis = redis
        self._window = window_seconds
        self._key_prefix = key_prefix
        self._pause_after_error = pause_after_error_seconds
        self._paused_until = 0.0
        self._sync_seconds = sync_seconds
        # Older than this, a count is not trusted and the cluster is asked again.
        self._trusted_seconds = 2 * sync_seconds
        # (identity, limit name) -> counter; an identity's counters share one hash slot.
        self._counters: dict[tuple[str, str], _Counter] = {}
        self._syncing: asyncio.Task[None] | None = None
        # identity -> the keys watched with it, and the watched keys last seen to exist.
        self._watched: dict[str, set[str]] = {}
        self._present: set[str] = set()

    async def hit(
        self, identity: str, limits: Mapping[str, int], *, watch: Sequence[str] = ()
    ) -> Decision | None:
        """Count one request of ``identity`` (``user:<sub>`` or ``ip:<addr>``) against each
        named limit (requests per window); refused when any of them is exceeded. None while
        Redis is unavailable: the request passes, uncounted.

        ``watch``: keys in the identity's slot (hash tag ``{<identity>}``) whose existence
        ``Decision.present`` reports; a key not watched before is read by this call."""
        if time.time() < self._paused_until:
            return None
        now = time.monotonic()
        counters = [self._counters.get((identity, name)) for name in limits]
        known = [counter for counter in counters if self._trusted(counter, now)]
        unseen = bool(watch) and not self._watched.get(identity, set()).issuperset(watch)
        if len(known) == len(counters) and not unseen:
            for counter in known:
                counter.pending += 1
        else:
            asked = await self._ask(identity, list(limits), counters, now, watch)
            if asked is None:
                return None
            known = asked
            if watch:
                self._watched.setdefault(identity, set()).update(watch)
        if self._syncing is None:
            self._syncing = asyncio.create_task(self._sync_forever(), name="ratelimit-sync")
        quotas = tuple(
            Quota(
                name=name,
                limit=limit,
                used=counter.used,
                reset=max(1, math.ceil(counter.ends_at - now)),
            )
            for counter, (name, limit) in zip(known, limits.items(), strict=True)
        )
        present = frozenset(key for key in watch if key in self._present)
        return Decision(quotas=quotas, window=self._window, present=present)

    async def close(self) -> None:
        """Stop reconciling and hand the cluster what this process still holds."""
        if self._syncing is not None:
            self._syncing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._syncing
            self._syncing = None
        await self._sync()

    def _trusted(self, counter: _Counter | None, now: float) -> TypeGuard[_Counter]:
        return (
            counter is not None
            and now < counter.ends_at
            and now - counter.synced_at < self._trusted_seconds
        )

    async def _ask(
        self,
        identity: str,
        names: list[str],
        counters: list[_Counter | None],
        now: float,
        watch: Sequence[str],
    ) -> list[_Counter] | None:
        """Count this request in the cluster now, with what was counted here meanwhile."""
        # A counter whose window has ended takes nothing along: that window is over.
        increments = [
            1 + counter.pending if counter is not None and now < counter.ends_at else 1
            for counter in counters
        ]
        # The hash tag puts every counter of one identity in one slot, so one script call
        # on one node counts them all.
        keys = [f"{self._key_prefix}:{{{identity}}}:{name}" for name in names]
        counted = await self._count(keys, increments, watch)
        if counted is None:
            return None
        asked = []
        for index, (key, name) in enumerate(zip(keys, names, strict=True)):
            counter = _Counter(
                key=key,
                synced=counted[index][0],
                synced_at=now,
                pending=0,
                ends_at=now + counted[index][1] / 1000,
            )
            self._counters[(identity, name)] = counter
            asked.append(counter)
        return asked

    async def _count(
        self, keys: list[str], increments: list[int], watch: Sequence[str] = ()
    ) -> list[tuple[int, int]] | None:
        """Each key's count and milliseconds left after adding its increment, noting which
        watched keys exist; None (and a pause) when the cluster did not answer."""
        window_ms = self._window * 1000
        try:
            counted = await self._redis.eval(
                COUNT_IN_WINDOW, len(keys) + len(watch), *keys, *watch, window_ms, *increments
            )
        except Exception as error:
            # Not only RedisError: redis-py also raises RuntimeError from a connection
            # closed under it (seen under load). No Redis failure may fail a request.
            self._pause(error)
            return None
        offset = 2 * len(keys)
        for index, key in enumerate(watch):
            if int(counted[offset + index]):
                self._present.add(key)
            else:
                self._present.discard(key)
        return [(int(counted[2 * i]), int(counted[2 * i + 1])) for i in range(len(keys))]

    async def _sync_forever(self) -> None:
        while True:
            await asyncio.sleep(self._sync_seconds)
            await self._sync()

    async def _sync(self) -> None:
        """Add this process's new counts to the cluster's and learn the others'; forget
        counters that are over or idle (their next request asks the cluster)."""
        now = time.monotonic()
        by_identity: dict[str, list[_Counter]] = {}
        for (identity, name), counter in list(self._counters.items()):
            if now >= counter.ends_at or (
                not counter.pending and now - counter.synced_at >= self._trusted_seconds
            ):
                del self._counters[(identity, name)]
            elif counter.pending:
                by_identity.setdefault(identity, []).append(counter)
        # An identity no longer counted here is asked again (watched keys too) next time.
        counted_here = {identity for identity, _ in self._counters}
        for identity in self._watched.keys() - counted_here:
            self._present.difference_update(self._watched.pop(identity))
        if by_identity and time.time() >= self._paused_until:
            await asyncio.gather(
                *(self._flush(identity, counters) for identity, counters in by_identity.items())
            )

    async def _flush(self, identity: str, counters: list[_Counter]) -> None:
        sent = [counter.pending for counter in counters]
        watch = tuple(self._watched.get(identity, ()))
        counted = await self._count([counter.key for counter in counters], sent, watch)
        if counted is None:
            return  # the pending counts stay and go with the next sync after the pause
        synced_at = time.monotonic()
        for counter, flushed, (count, left_ms) in zip(counters, sent, counted, strict=True):
            # Requests counted during the round trip stay pending for the next sync.
            counter.pending -= flushed
            counter.synced = count
            counter.synced_at = synced_at
            counter.ends_at = synced_at + left_ms / 1000

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
