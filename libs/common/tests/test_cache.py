"""The cache backend against the real local Redis Cluster (7000-7005)."""

from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.test import Client

from platform_common.cache import RedisClusterCache, uncounted
from platform_common.testing.metrics import Scrape, parse

KEYS = [f"key-{n}" for n in range(20)]  # spread over every master's slots


@pytest.fixture
def cache() -> Iterator[RedisClusterCache]:
    backend = caches["default"]
    assert isinstance(backend, RedisClusterCache)
    backend.clear()
    yield backend
    backend.clear()


def test_backend_discovers_every_primary_from_one_seed(cache: RedisClusterCache) -> None:
    assert len(cache.cluster.get_primaries()) >= 3


def test_set_get_and_missing_default(cache: RedisClusterCache) -> None:
    cache.set("answer", {"value": 42})

    assert cache.get("answer") == {"value": 42}
    assert cache.get("missing", "default") == "default"


def test_add_only_sets_absent_keys(cache: RedisClusterCache) -> None:
    assert cache.add("once", 1) is True
    assert cache.add("once", 2) is False
    assert cache.get("once") == 1


def test_delete_and_has_key(cache: RedisClusterCache) -> None:
    cache.set("doomed", "x")

    assert cache.has_key("doomed")
    assert cache.delete("doomed") is True
    assert not cache.has_key("doomed")


def test_incr_of_existing_and_missing_keys(cache: RedisClusterCache) -> None:
    cache.set("counter", 1)

    assert cache.incr("counter", 5) == 6
    with pytest.raises(ValueError, match="not found"):
        cache.incr("no-counter")


def test_many_key_operations_span_slots(cache: RedisClusterCache) -> None:
    cache.set_many({key: index for index, key in enumerate(KEYS)}, timeout=60)

    assert cache.get_many([*KEYS, "absent"]) == {key: index for index, key in enumerate(KEYS)}

    cache.delete_many(KEYS[:10])

    assert sorted(cache.get_many(KEYS)) == sorted(KEYS[10:])


def test_timeout_zero_means_do_not_keep(cache: RedisClusterCache) -> None:
    cache.set_many({"a": 1, "b": 2}, timeout=0)
    cache.set("c", 3, timeout=0)

    assert cache.get_many(["a", "b", "c"]) == {}


def test_set_many_applies_the_timeout(cache: RedisClusterCache) -> None:
    cache.set_many({"ttl-a": 1}, timeout=30)

    ttl = cache.cluster.ttl(cache.make_key("ttl-a"))

    assert 0 < ttl <= 30


def test_clear_leaves_other_services_keys_alone(cache: RedisClusterCache) -> None:
    other_key = "other-service:1:keep"
    cache.cluster.set(other_key, "x", ex=60)
    cache.set_many({key: 1 for key in KEYS})

    cache.clear()

    assert cache.get_many(KEYS) == {}
    assert cache.cluster.getdel(other_key) == b"x"


def cache_reads(metrics: Scrape, result: str) -> float:
    labels = {"service": "platform_common_tests", "cache": "default", "result": result}
    return metrics.value("cache_requests_total", **labels) or 0.0


@pytest.mark.django_db
def test_reads_are_counted_as_hits_and_misses_on_metrics(
    cache: RedisClusterCache, client: Client
) -> None:
    before = parse(client.get("/metrics").content.decode())
    cache.set("present", 1)
    cache.set("other", 2)

    cache.get("present")
    cache.get("absent")
    cache.get_many(["present", "other", "gone"])
    with uncounted():
        cache.get("present")
    client.get("/readyz")  # the probe's own read leaves the ratio alone

    after = parse(client.get("/metrics").content.decode())
    assert cache_reads(after, "hit") - cache_reads(before, "hit") == 3
    assert cache_reads(after, "miss") - cache_reads(before, "miss") == 2
