"""A user's device on the stack's MQTT broker (the local Mosquitto of `make infra`, with the
platform's ACL): signed in with the user's id as user name, on a credential of its own."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import paho.mqtt.client as mqtt
from gateway_client import ROOT
from paho.mqtt.enums import CallbackAPIVersion

MQTT_HOST = "127.0.0.1"
MQTT_PORT = 1884
QOS_AT_LEAST_ONCE = 1
TIMEOUT_S = 10.0


class Device:
    def __init__(self, client: mqtt.Client) -> None:
        self.client = client
        self.received: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self._subscribed = threading.Event()
        client.on_message = lambda client, userdata, message: self.received.put(message)
        client.on_subscribe = lambda *args: self._subscribed.set()

    def subscribe(self, topic: str) -> None:
        """Subscribe; returns once the broker acknowledged it."""
        self._subscribed.clear()
        self.client.subscribe(topic, qos=QOS_AT_LEAST_ONCE)
        assert self._subscribed.wait(TIMEOUT_S), f"no SUBACK for {topic}"

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        """Publish with QoS 1; returns once the broker acknowledged it."""
        info = self.client.publish(topic, json.dumps(payload), qos=QOS_AT_LEAST_ONCE)
        info.wait_for_publish(TIMEOUT_S)
        assert info.is_published(), f"no PUBACK for {topic}"

    def message(self, timeout: float = TIMEOUT_S) -> dict[str, Any]:
        """The next message received, as JSON."""
        payload: dict[str, Any] = json.loads(self.received.get(timeout=timeout).payload)
        return payload


@contextmanager
def device_of(user_id: str) -> Iterator[Device]:
    password = uuid.uuid4().hex
    subprocess.run(
        [ROOT / "dev/bin/mqtt-device", user_id, password], check=True, capture_output=True
    )
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"e2e-device-{uuid.uuid4().hex}",
        protocol=mqtt.MQTTv311,
    )
    client.username_pw_set(user_id, password)
    device = Device(client)
    client.connect(MQTT_HOST, MQTT_PORT)
    client.loop_start()
    try:
        yield device
    finally:
        client.disconnect()
        client.loop_stop()
