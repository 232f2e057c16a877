"""The MQTT bridge against the local Mosquitto of `make infra` (its password file and the
platform's ACL), both ways; devices sign in as their user."""

import json
import queue
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from django.conf import settings
from django.db import connections
from paho.mqtt.enums import CallbackAPIVersion
from pytest_django import Settings
from websockets.sync.client import connect

from notifications.delivery.channels import OutgoingMessage, channel_sender
from notifications.inbox.models import Notification
from notifications.inbox.services import notification_create
from notifications.mqtt.bridge import MqttBridge
from notifications.mqtt.client import QOS_AT_LEAST_ONCE
from notifications.mqtt.services import DEVICE_KIND, mqtt_publish_notification
from notifications.preferences.types import Channel
from platform_common.testing.jwt import MakeToken

TIMEOUT_SECONDS = 10
# How long a message the broker refused is given to show up anyway.
SILENCE_SECONDS = 1.0
REPO = Path(__file__).resolve().parents[4]


@pytest.fixture
def bridge_client_id(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    # The broker is shared: a client id of its own, so no other bridge takes its session.
    settings.MQTT_CLIENT_ID = f"test-bridge-{uuid.uuid4().hex}"
    # The bridge's thread closes its connection after each message, so the test database
    # can be dropped at the end of the run.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    return str(settings.MQTT_CLIENT_ID)


@contextmanager
def running_bridge() -> Iterator[MqttBridge]:
    bridge = MqttBridge()
    subscribed = threading.Event()
    bridge.client.on_subscribe = lambda *args: subscribed.set()
    thread = threading.Thread(target=bridge.run, name="mqtt-bridge-under-test", daemon=True)
    thread.start()
    try:
        assert subscribed.wait(TIMEOUT_SECONDS), "the bridge did not subscribe"
        yield bridge
    finally:
        bridge.stop()
        thread.join(TIMEOUT_SECONDS)
    assert not thread.is_alive(), "the bridge did not stop"


@contextmanager
def device(user: uuid.UUID | str) -> Iterator[mqtt.Client]:
    """A client signed in with ``user`` as user name (a credential of its own)."""
    password = uuid.uuid4().hex
    subprocess.run(
        [REPO / "dev/bin/mqtt-device", str(user), password], check=True, capture_output=True
    )
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"test-device-{uuid.uuid4().hex}",
        protocol=mqtt.MQTTv311,
    )
    client.username_pw_set(str(user), password)
    client.connect(settings.MQTT_HOST, settings.MQTT_PORT)
    client.loop_start()
    try:
        yield client
    finally:
        client.disconnect()
        client.loop_stop()


def _subscribed(client: mqtt.Client, topic: str) -> queue.Queue[mqtt.MQTTMessage]:
    """What ``client`` receives on ``topic``, once the broker acknowledged the subscription."""
    received: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
    subscribed = threading.Event()
    client.on_subscribe = lambda *args: subscribed.set()
    client.on_message = lambda client, userdata, message: received.put(message)
    client.subscribe(topic, qos=QOS_AT_LEAST_ONCE)
    assert subscribed.wait(TIMEOUT_SECONDS)
    return received


def _publish(client: mqtt.Client, topic: str, payload: dict[str, object] | str) -> None:
    body = payload if isinstance(payload, str) else json.dumps(payload)
    client.publish(topic, body, qos=QOS_AT_LEAST_ONCE).wait_for_publish(TIMEOUT_SECONDS)


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def _device_messages(user_id: uuid.UUID) -> list[Notification]:
    return list(Notification.objects.filter(user_id=user_id, kind=DEVICE_KIND).order_by("sequence"))


@pytest.mark.django_db
def test_a_notification_is_published_on_the_users_topic_with_qos_1() -> None:
    user_id = uuid.uuid4()
    with device(user_id) as subscriber:
        received = _subscribed(subscriber, f"users/{user_id}/notifications")
        notification = notification_create(user_id=user_id, kind="welcome", title="Hi")

        mqtt_publish_notification(notification=notification)

        message = received.get(timeout=TIMEOUT_SECONDS)
    payload = json.loads(message.payload)
    assert message.qos == QOS_AT_LEAST_ONCE
    assert (payload["id"], payload["sequence"], payload["title"]) == (
        str(notification.id),
        notification.sequence,
        "Hi",
    )


def test_a_delivery_on_the_mqtt_channel_is_published_on_the_users_topic() -> None:
    user_id, delivery_id = uuid.uuid4(), uuid.uuid4()
    sender = channel_sender(Channel.MQTT)
    assert sender is not None
    with device(user_id) as subscriber:
        received = _subscribed(subscriber, f"users/{user_id}/notifications")

        sender.send(
            OutgoingMessage(
                delivery_id=delivery_id,
                event_id=uuid.uuid4(),
                recipient_id=user_id,
                channel=Channel.MQTT,
                notification_type="article_published",
                subject="New article: Compilers",
                text="Ada published Compilers.",
                html="",
                link="/articles/compilers",
            )
        )

        message = received.get(timeout=TIMEOUT_SECONDS)
    assert message.qos == QOS_AT_LEAST_ONCE
    assert json.loads(message.payload) == {
        "id": str(delivery_id),
        "kind": "article_published",
        "title": "New article: Compilers",
        "body": "Ada published Compilers.",
        "link": "/articles/compilers",
        "data": {},
    }


def test_a_device_message_reaches_the_users_inbox_and_open_socket(
    transactional_db: None, bridge_client_id: str, asgi_server: str, make_token: MakeToken
) -> None:
    user_id = uuid.uuid4()
    with (
        connect(f"{asgi_server}?access_token={make_token(sub=user_id)}") as socket,
        running_bridge(),
        device(user_id) as sensor,
    ):
        _publish(sensor, f"devices/{user_id}/door", {"title": "Door open", "data": {"door": 1}})
        frame = json.loads(socket.recv(timeout=TIMEOUT_SECONDS))

    stored = _device_messages(user_id)
    assert [(n.title, n.data) for n in stored] == [
        ("Door open", {"topic": f"devices/{user_id}/door", "door": 1})
    ]
    assert frame["notification"]["id"] == str(stored[0].id)


def test_messages_sent_while_the_bridge_is_down_arrive_when_it_is_back(
    transactional_db: None, bridge_client_id: str
) -> None:
    user_id = uuid.uuid4()
    with running_bridge():
        pass  # the broker now keeps a session (and its subscription) for the bridge
    with device(user_id) as sensor:
        for index in range(3):
            _publish(sensor, f"devices/{user_id}/meter", {"title": f"reading {index}"})

    with running_bridge():
        _wait_for(lambda: len(_device_messages(user_id)) == 3)

    assert [n.title for n in _device_messages(user_id)] == [f"reading {i}" for i in range(3)]


def test_a_redelivered_message_with_an_id_is_kept_once_and_bad_ones_do_not_block(
    transactional_db: None, bridge_client_id: str
) -> None:
    user_id = uuid.uuid4()
    with running_bridge(), device("not-a-user") as stray, device(user_id) as sensor:
        _publish(stray, "devices/not-a-user/x", {"title": "nobody's"})
        _publish(sensor, f"devices/{user_id}/x", {"id": "m-1", "title": "once"})
        _publish(sensor, f"devices/{user_id}/x", {"id": "m-1", "title": "once"})
        _publish(sensor, f"devices/{user_id}/x", "plain text")
        _wait_for(lambda: len(_device_messages(user_id)) == 2)

    stored = _device_messages(user_id)
    assert [(n.title, n.body) for n in stored] == [
        ("once", ""),
        ("Message from your device", "plain text"),
    ]


def test_a_device_cannot_publish_into_another_users_topic(
    transactional_db: None, bridge_client_id: str
) -> None:
    owner, victim = uuid.uuid4(), uuid.uuid4()
    with running_bridge(), device(owner) as sensor:
        _publish(sensor, f"devices/{victim}/door", {"title": "forged"})
        # Messages of one client reach the bridge in order: once this one is stored, the
        # forged one would have been too.
        _publish(sensor, f"devices/{owner}/door", {"title": "own"})
        _wait_for(lambda: len(_device_messages(owner)) == 1)

    assert _device_messages(victim) == []
    assert [n.title for n in _device_messages(owner)] == ["own"]


@pytest.mark.django_db
def test_a_device_cannot_read_another_users_notifications() -> None:
    owner, victim = uuid.uuid4(), uuid.uuid4()
    with device(owner) as snoop, device(victim) as phone:
        snooped = _subscribed(snoop, f"users/{victim}/notifications")
        received = _subscribed(phone, f"users/{victim}/notifications")

        mqtt_publish_notification(
            notification=notification_create(user_id=victim, kind="welcome", title="Private")
        )

        delivered = received.get(timeout=TIMEOUT_SECONDS)
        time.sleep(SILENCE_SECONDS)
    assert json.loads(delivered.payload)["title"] == "Private"
    assert snooped.empty()
