"""The MQTT broker's access rules ship with the platform chart (the file the local broker
loads), and the notifications service signs in as the ACL's bridge user."""

from __future__ import annotations

import re
from pathlib import Path

from chart_rendering import CHARTS, RELEASE, Manifest, manifests, render
from test_chart_redis import config_of

ACL = CHARTS / "platform" / "files" / "mosquitto" / "acl.conf"
ACL_CONFIGMAP = f"{RELEASE}-mosquitto-acl"


def acl_maps(objects: list[Manifest]) -> list[Manifest]:
    return [o for o in objects if o.kind == "ConfigMap" and o.name == ACL_CONFIGMAP]


def test_the_acl_configmap_is_the_acl_file(objects: list[Manifest]) -> None:
    (acl,) = acl_maps(objects)

    assert acl.obj["data"]["acl.conf"].rstrip("\n") == ACL.read_text().rstrip("\n")


def test_devices_are_confined_to_their_own_user_ids_topics() -> None:
    rules = [line for line in ACL.read_text().splitlines() if line and not line.startswith("#")]

    # The pattern rules come first: before any `user` line, so they apply to every client.
    assert rules[:2] == ["pattern write devices/%u/#", "pattern read users/%u/notifications"]
    assert not [line for line in rules if line.startswith("topic") and "%u" in line]


def test_notifications_signs_in_as_the_acls_bridge_user(objects: list[Manifest]) -> None:
    config = config_of(objects, "notifications")
    bridge_user = re.search(r"^user (\S+)$", ACL.read_text(), re.MULTILINE)

    assert bridge_user is not None
    assert config["MQTT_USERNAME"] == bridge_user.group(1)


def test_the_acl_configmap_can_be_left_out(built_charts: Path) -> None:
    objects = manifests(render(built_charts / "platform", {"mqtt": {"aclConfigMap": False}}))

    assert acl_maps(objects) == []
