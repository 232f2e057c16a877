"""Connections to the upstreams: one pool per service (``client.py``) and an aiohttp
session for WebSockets, each bounded.

A slow or stuck service fills only its own pool; a full pool is answered at once (503
``upstream_busy``) instead of queueing, and is the gateway's own limit, never counted by
the breaker as a failure of the service. WebSockets hold their connection for their whole
life, so they have their own session and caps, in all and per user.
"""

from __future__ import annotations

import aiohttp

from gateway.breaker import CircuitBreaker
from gateway.client import ConnectionPool
from gateway.problems import Problem
from platform_common.problems import ProblemCode


def create_session(
    *, keepalive_seconds: float, connect_timeout: float, read_timeout: float
) -> aiohttp.ClientSession:
    """An aiohttp session (WebSockets, schema fetches), measured several times faster than
    httpx here.

    The connector itself is unbounded: callers bound what they have in flight, so a
    request never waits for a free connection (a wait that would look like an outage).
    Idle connections are dropped before the upstream's own keep-alive ends (gunicorn: 2 s),
    so a request is not sent on a connection the upstream is closing; aiohttp retries
    idempotent requests once on such a connection anyway.
    """
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(
            limit=0, keepalive_timeout=keepalive_seconds, ttl_dns_cache=60
        ),
        timeout=aiohttp.ClientTimeout(total=None, connect=connect_timeout, sock_read=read_timeout),
        # Bytes pass through untouched: no decompression, no headers the client did not send.
        auto_decompress=False,
        skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent", "Content-Type"),
        cookie_jar=aiohttp.DummyCookieJar(),
    )


class Upstream:
    """One service: its base URL, its own pool and breaker, and what is in flight to it."""

    __slots__ = ("breaker", "in_flight", "limit", "name", "pool", "url")

    def __init__(
        self,
        name: str,
        url: str,
        *,
        pool: ConnectionPool,
        breaker: CircuitBreaker,
        limit: int,
    ) -> None:
        self.name = name
        self.url = url
        self.pool = pool
        self.breaker = breaker
        self.limit = limit
        self.in_flight = 0


class SocketSlots:
    """Open proxied WebSockets, counted in all and per client (a user id)."""

    def __init__(self, *, limit: int, per_client: int) -> None:
        self._limit = limit
        self._per_client = per_client
        self._open = 0
        self._by_client: dict[str, int] = {}

    def take(self, client: str) -> None:
        """Count one more socket of ``client``, or refuse it with a problem."""
        if self._open >= self._limit:
            raise Problem(
                503,
                ProblemCode.TOO_MANY_CONNECTIONS,
                "The gateway has no WebSocket connection left; retry later.",
                headers=[(b"retry-after", b"5")],
            )
        held = self._by_client.get(client, 0)
        if held >= self._per_client:
            raise Problem(
                429,
                ProblemCode.TOO_MANY_CONNECTIONS,
                f"At most {self._per_client} open WebSockets per user.",
            )
        self._by_client[client] = held + 1
        self._open += 1

    @property
    def open(self) -> int:
        return self._open

    def give_back(self, client: str) -> None:
        self._open -= 1
        held = self._by_client.pop(client) - 1
        if held:
            self._by_client[client] = held
