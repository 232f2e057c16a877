"""Best-effort wake-up of the relay after a commit (no LISTEN/NOTIFY through PgBouncer)."""

from __future__ import annotations

import logging

import redis

from platform_common.events import conf

logger = logging.getLogger(__name__)


def nudge_channel(service: str) -> str:
    return f"events:outbox:{service}"


def nudge_relay() -> None:
    """Tell this service's relays that the outbox has new rows; polling covers a lost nudge."""
    try:
        client = _client()
        client.publish(nudge_channel(conf.service_name()), b"1")
    except redis.RedisError as error:
        logger.warning("outbox nudge failed: %s", error)


_clients: dict[str, redis.Redis] = {}


def _client() -> redis.Redis:
    url = conf.redis_url()
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    return _clients[url]
