"""The channel layer reaches its Redis through Sentinel, as the chart deploys it.

The configured layer goes through the Sentinel `make infra` runs (watching the machine's
Redis); a second Redis pair with its own Sentinel, started here, proves the layer follows
a failover to the promoted replica.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
import redis
from django.conf import settings
from redis.asyncio.sentinel import MasterNotFoundError, SentinelConnectionPool

from notifications.config.channel_layer import ChannelLayer, channel_layer_host, parse_sentinels
from notifications.config.redis_connection import (
    CancellationSafeConnection,
    CancellationSafeSentinelConnection,
)

START_TIMEOUT_SECONDS = 10
FAILOVER_TIMEOUT_SECONDS = 20
MASTER = "channels-under-test"


def _configured_host() -> dict[str, Any]:
    layers: dict[str, Any] = settings.CHANNEL_LAYERS
    (host,) = layers["default"]["CONFIG"]["hosts"]
    return dict(host)


def _layer(host: dict[str, Any]) -> ChannelLayer:
    return ChannelLayer(hosts=[host], prefix="channel-layer-test")


async def _group_round_trip(layer: ChannelLayer, text: str) -> dict[str, Any]:
    """Send ``text`` to a group with one member channel and receive it there."""
    channel = await layer.new_channel()
    await layer.group_add("sentinel-test", channel)
    try:
        await layer.group_send("sentinel-test", {"type": "test.message", "text": text})
        message: dict[str, Any] = await asyncio.wait_for(layer.receive(channel), timeout=5)
        return message
    finally:
        await layer.group_discard("sentinel-test", channel)


def test_sentinel_addresses_are_parsed() -> None:
    assert parse_sentinels(" a:26379, 10.0.0.2:26380 ,") == [("a", 26379), ("10.0.0.2", 26380)]
    assert parse_sentinels("") == []
    with pytest.raises(ValueError, match="host:port"):
        parse_sentinels("redis-sentinel")


def test_without_sentinels_the_layer_uses_the_plain_url() -> None:
    host = channel_layer_host(url="redis://127.0.0.1:6379/0", sentinels="", master="mymaster")

    assert host["address"] == "redis://127.0.0.1:6379/0"
    assert "sentinels" not in host


def test_the_configured_layer_sends_a_group_message_through_sentinel() -> None:
    host = _configured_host()
    assert host["sentinels"] == [("127.0.0.1", 26379)]
    layer = _layer(host)

    message = asyncio.run(_group_round_trip(layer, "hello"))

    assert message == {"type": "test.message", "text": "hello"}
    pool = layer.create_pool(0)
    assert isinstance(pool, SentinelConnectionPool)
    assert pool.connection_class is CancellationSafeSentinelConnection
    # The questions to the Sentinels are sends too.
    assert {
        sentinel.connection_pool.connection_class for sentinel in pool.sentinel_manager.sentinels
    } == {CancellationSafeConnection}


def test_a_master_the_sentinel_does_not_know_is_an_error() -> None:
    layer = _layer({**_configured_host(), "master_name": "no-such-master"})

    with pytest.raises(MasterNotFoundError):
        asyncio.run(_group_round_trip(layer, "lost"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except redis.RedisError:
            pass
        assert time.monotonic() < deadline, f"{what} not reached in {timeout} s"
        time.sleep(0.1)


def _failover_started(replication: Replication) -> bool:
    """Sentinel answers NOGOODSLAVE until it has read the replica's own INFO (every 10 s
    at most), some time after it first listed the replica."""
    try:
        replication.client(replication.sentinel_port).sentinel_failover(MASTER)
    except redis.ResponseError as error:
        if "NOGOODSLAVE" in str(error):
            return False
        raise
    return True


@dataclass
class Replication:
    """A master, its replica and one Sentinel watching them, each a real redis-server."""

    master_port: int
    replica_port: int
    sentinel_port: int

    def client(self, port: int) -> redis.Redis:
        return redis.Redis(port=port, socket_timeout=2, decode_responses=True)

    def master_address(self) -> tuple[str, int]:
        address: Any = self.client(self.sentinel_port).sentinel_get_master_addr_by_name(MASTER)
        host, port = address
        return str(host), int(port)


@pytest.fixture
def replication(tmp_path: Path) -> Iterator[Replication]:
    server = shutil.which("redis-server")
    assert server, "redis-server is installed by make infra"
    setup = Replication(_free_port(), _free_port(), _free_port())
    common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    (tmp_path / "sentinel.conf").write_text(
        f"port {setup.sentinel_port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor {MASTER} 127.0.0.1 {setup.master_port} 1\n"
        f"sentinel down-after-milliseconds {MASTER} 1000\n"
        f"sentinel failover-timeout {MASTER} 10000\n"
    )
    commands = [
        [server, "--port", str(setup.master_port), *common],
        [server, "--port", str(setup.replica_port), *common,
         "--replicaof", "127.0.0.1", str(setup.master_port)],
        [server, str(tmp_path / "sentinel.conf"), "--sentinel"],
    ]  # fmt: skip
    processes = [
        subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL) for command in commands
    ]
    try:
        replica = setup.client(setup.replica_port)
        _wait(
            lambda: replica.info("replication")["master_link_status"] == "up",
            START_TIMEOUT_SECONDS,
            "replica in sync",
        )
        sentinel = setup.client(setup.sentinel_port)
        _wait(
            lambda: int(cast(Any, sentinel.sentinel_master(MASTER))["num-slaves"]) == 1,
            START_TIMEOUT_SECONDS,
            "Sentinel sees the replica",
        )
        yield setup
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def test_the_layer_follows_a_failover_to_the_promoted_replica(replication: Replication) -> None:
    host = channel_layer_host(
        url="redis://unused", sentinels=f"127.0.0.1:{replication.sentinel_port}", master=MASTER
    )
    layer = _layer(host)

    async def scenario() -> list[dict[str, Any]]:
        before = await _group_round_trip(layer, "before")
        await asyncio.to_thread(fail_over)
        # A connection opened before the failover may meet the demoted master once.
        deadline = time.monotonic() + FAILOVER_TIMEOUT_SECONDS
        while True:
            try:
                after = await _group_round_trip(layer, "after")
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "the layer never reached the new master"
                await asyncio.sleep(0.2)
        return [before, after]

    def fail_over() -> None:
        assert replication.master_address() == ("127.0.0.1", replication.master_port)
        _wait(
            lambda: _failover_started(replication),
            FAILOVER_TIMEOUT_SECONDS,
            "Sentinel accepts the failover",
        )
        _wait(
            lambda: replication.master_address() == ("127.0.0.1", replication.replica_port),
            FAILOVER_TIMEOUT_SECONDS,
            "Sentinel names the replica master",
        )
        # With the old master gone, only the promoted replica can carry the message.
        replication.client(replication.master_port).shutdown(nosave=True)

    before, after = asyncio.run(scenario())

    assert before["text"] == "before"
    assert after["text"] == "after"
    assert replication.client(replication.replica_port).info("replication")["role"] == "master"
