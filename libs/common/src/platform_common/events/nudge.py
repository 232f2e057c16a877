"""Best-effort wake-up of the relay after a commit (no LISTEN/NOTIFY through PgBouncer).

A commit only raises a flag; one daemon thread per process publishes the nudge. So a
producer's transaction never waits on Redis (it cost a round trip per commit), and the
commits of a burst that land while a nudge is on its way share the next one.
"""

from __future__ import annotations

import logging
import os
import threading

import redis

from platform_common.events import conf

logger = logging.getLogger(__name__)


def nudge_channel(service: str) -> str:
    return f"events:outbox:{service}"


def nudge_relay() -> None:
    """Tell this service's relays that the outbox has new rows; polling covers a lost nudge."""
    _nudger().wake(redis_url=conf.redis_url(), channel=nudge_channel(conf.service_name()))


class _Nudger:
    def __init__(self) -> None:
        self._wanted = threading.Condition()
        self._pending: set[tuple[str, str]] = set()
        self._clients: dict[str, redis.Redis] = {}
        threading.Thread(target=self._run, name="outbox-nudge", daemon=True).start()

    def wake(self, *, redis_url: str, channel: str) -> None:
        with self._wanted:
            self._pending.add((redis_url, channel))
            self._wanted.notify()

    def _run(self) -> None:
        while True:
            with self._wanted:
                self._wanted.wait_for(lambda: bool(self._pending))
                pending, self._pending = self._pending, set()
            for redis_url, channel in pending:
                self._publish(redis_url, channel)

    def _publish(self, redis_url: str, channel: str) -> None:
        try:
            client = self._clients.get(redis_url)
            if client is None:
                client = redis.Redis.from_url(
                    redis_url, socket_timeout=0.5, socket_connect_timeout=0.5
                )
                self._clients[redis_url] = client
            client.publish(channel, b"1")
        except redis.RedisError as error:
            logger.warning("outbox nudge failed: %s", error)


_nudgers: dict[int, _Nudger] = {}
_nudgers_lock = threading.Lock()


def _nudger() -> _Nudger:
    """This process's nudger: a forked child (prefork servers) starts its own thread."""
    pid = os.getpid()
    nudger = _nudgers.get(pid)
    if nudger is None:
        with _nudgers_lock:
            nudger = _nudgers.get(pid)
            if nudger is None:
                nudger = _nudgers[pid] = _Nudger()
    return nudger
