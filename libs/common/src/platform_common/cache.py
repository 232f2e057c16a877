"""Django cache backend on a Redis Cluster: Django's ``RedisCache`` with a ``RedisCluster`` client.

``LOCATION`` is one seed node URL (or several separated by ``,``/``;``); the client discovers
the rest of the cluster. Multi-key operations are split per slot, so keys that must share a
slot (for atomic scripts elsewhere) need a ``{hash tag}``.

Reads are counted as hits and misses (``cache_requests_total``, labelled with the cache's
``KEY_PREFIX``, the service); the readiness probe's own round trip is not (``uncounted``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.client import Redis
from redis.cluster import ClusterNode, RedisCluster

from platform_common.observability.metrics import CACHE_REQUESTS

CacheKey = str | bytes | memoryview
# Options Django's client consumes itself; the rest go to RedisCluster.
_DJANGO_CLIENT_OPTIONS = frozenset({"serializer", "pool_class", "parser_class"})
_MISSING = object()
_counted: ContextVar[bool] = ContextVar("cache_reads_counted", default=True)


@contextmanager
def uncounted() -> Iterator[None]:
    """Cache reads in the block leave the hit ratio alone (probes, not traffic)."""
    token = _counted.set(False)
    try:
        yield
    finally:
        _counted.reset(token)


class RedisClusterCacheClient(RedisCacheClient):
    _serializer: Any  # set by Django's client from the "serializer" option

    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        self._seed_urls = servers
        self._cluster_options = {
            key: value for key, value in options.items() if key not in _DJANGO_CLIENT_OPTIONS
        }
        # Fail fast when a node is down instead of hanging the request.
        self._cluster_options.setdefault("socket_connect_timeout", 1.0)
        self._cluster_options.setdefault("socket_timeout", 1.0)
        self._cluster: RedisCluster | None = None
        self._cluster_lock = threading.Lock()

    def cluster(self) -> RedisCluster:
        """One client per process: it keeps a pool per node and is thread-safe."""
        if self._cluster is None:
            with self._cluster_lock:
                if self._cluster is None:
                    self._cluster = self._connect()
        return self._cluster

    def _connect(self) -> RedisCluster:
        if len(self._seed_urls) == 1:
            return RedisCluster.from_url(self._seed_urls[0], **self._cluster_options)
        nodes = [_cluster_node(url) for url in self._seed_urls]
        return RedisCluster(startup_nodes=nodes, **self._cluster_options)

    def get_client(self, key: CacheKey | None = None, *, write: bool = False) -> Redis:
        # RedisCluster routes each single-key command to the node owning the key's slot.
        return self.cluster()  # type: ignore[return-value]

    def get_many(self, keys: Iterable[CacheKey]) -> dict[CacheKey, Any]:
        keys = list(keys)
        pipeline = self.cluster().pipeline()
        for key in keys:
            pipeline.get(key)
        values = pipeline.execute()
        return {
            key: self._serializer.loads(value)
            for key, value in zip(keys, values, strict=True)
            if value is not None
        }

    def set_many(self, data: Mapping[CacheKey, Any], timeout: int | timedelta | None) -> None:
        if timeout == 0:
            self.delete_many(data)
            return
        pipeline = self.cluster().pipeline()
        for key, value in data.items():
            pipeline.set(key, self._serializer.dumps(value), ex=timeout)
        pipeline.execute()

    def delete_many(self, keys: Iterable[CacheKey]) -> None:
        pipeline = self.cluster().pipeline()
        for key in keys:
            pipeline.delete(key)
        pipeline.execute()

    def delete_matching(self, pattern: str) -> None:
        """Delete every key matching ``pattern`` on every primary."""
        cluster = self.cluster()
        for node in cluster.get_primaries():
            self.delete_many(list(cluster.scan_iter(match=pattern, count=500, target_nodes=node)))


def _cluster_node(url: str) -> ClusterNode:
    parts = urlsplit(url)
    return ClusterNode(parts.hostname or "127.0.0.1", parts.port or 6379)


class RedisClusterCache(RedisCache):
    """``CACHES["default"]["BACKEND"] = "platform_common.cache.RedisClusterCache"``."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisClusterCacheClient
        # Bound once: the service (key prefix) and the cache's name in CACHES.
        service = str(params.get("KEY_PREFIX") or "unknown")
        name = str(params.get("NAME", "default"))
        self._hits = CACHE_REQUESTS.labels(service, name, "hit")
        self._misses = CACHE_REQUESTS.labels(service, name, "miss")

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        value = super().get(key, _MISSING, version)
        if value is _MISSING:
            if _counted.get():
                self._misses.inc()
            return default
        if _counted.get():
            self._hits.inc()
        return value

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        keys = list(keys)
        found: dict[Any, Any] = super().get_many(keys, version)
        if _counted.get():
            self._hits.inc(len(found))
            self._misses.inc(len(keys) - len(found))
        return found

    @property
    def cluster(self) -> RedisCluster:
        """The cluster client, for counters and scripts beyond the cache API."""
        return self._cluster_client.cluster()

    @property
    def _cluster_client(self) -> RedisClusterCacheClient:
        client = self._cache
        assert isinstance(client, RedisClusterCacheClient)
        return client

    def clear(self) -> None:
        """Only this cache's keys: services share the cluster, so FLUSHDB would hit the others."""
        if self.key_prefix:
            self._cluster_client.delete_matching(f"{_escape_glob(self.key_prefix)}:*")
        else:
            self.cluster.flushdb(target_nodes=RedisCluster.PRIMARIES)


def _escape_glob(text: str) -> str:
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)
