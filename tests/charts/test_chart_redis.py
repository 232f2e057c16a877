"""The notifications channel layer is pointed at the Sentinels the chart deploys, under the
master group name they watch, and the replication they watch can get its Sentinels at all
(the OT operator configures them only once the primary has a replica attached)."""

from __future__ import annotations

from typing import Any

from chart_rendering import Manifest

# The OT operator names the Sentinels' Service "<RedisSentinel name>-sentinel" (port 26379).
SENTINEL_PORT = 26379


def one(objects: list[Manifest], kind: str) -> Manifest:
    (found,) = [item for item in objects if item.kind == kind]
    return found


def config_of(objects: list[Manifest], service: str) -> dict[str, Any]:
    config: dict[str, Any]
    (config,) = [
        item.obj["data"]
        for item in objects
        if item.kind == "ConfigMap"
        and item.obj["metadata"]["labels"].get("app.kubernetes.io/name") == service
    ]
    return config


def test_the_channel_layer_asks_the_rendered_sentinels(objects: list[Manifest]) -> None:
    sentinel = one(objects, "RedisSentinel")
    config = config_of(objects, "notifications")

    assert config["CHANNEL_LAYER_SENTINELS"] == f"{sentinel.name}-sentinel:{SENTINEL_PORT}"
    assert (
        config["CHANNEL_LAYER_SENTINEL_MASTER"]
        == sentinel.obj["spec"]["redisSentinelConfig"]["masterGroupName"]
    )


def test_the_sentinels_watch_the_channel_layers_replication(objects: list[Manifest]) -> None:
    sentinel = one(objects, "RedisSentinel")
    replication = one(objects, "RedisReplication")

    assert sentinel.obj["spec"]["redisSentinelConfig"]["redisReplicationName"] == replication.name
    assert replication.obj["spec"]["clusterSize"] >= 2


def test_only_notifications_runs_a_channel_layer(objects: list[Manifest]) -> None:
    for service in ("accounts", "content", "gateway"):
        assert "CHANNEL_LAYER_SENTINELS" not in config_of(objects, service)
