"""The MQTT bridge against the machine's Mosquitto (127.0.0.1:1883), both ways."""

import json
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import paho.mqtt.client as mqtt
import pytest
from django.db import connections
from pytest_django import Settings
from websockets.sync.client import connect

from notifications.delivery.channels import OutgoingMessage, channel_sender
from notifications.inbox.models import Notification
from notifications.inbox.services import notification_create
from notifications.mqtt.bridge import MqttBridge
from notifications.mqtt.client import QOS_AT_LEAST_ONCE, mqtt_client
from notifications.mqtt.services import DEVICE_KIND, mqtt_publish_notification
from notifications.preferences.types import Channel
from platform_common.testing.jwt import MakeToken

TIMEOUT_SECONDS = 10


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
def device(client_id: str | None = None) -> Iterator[mqtt.Client]:
    client = mqtt_client(
        client_id=client_id or f"test-device-{uuid.uuid4().hex}", persistent_session=False
    )
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    try:
        yield client
    finally:
        client.disconnect()
        client.loop_stop()


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
    received: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
    with device() as subscriber:
        subscribed = threading.Event()
        subscriber.on_subscribe = lambda *args: subscribed.set()
        subscriber.on_message = lambda client, userdata, message: received.put(message)
        subscriber.subscribe(f"users/{user_id}/notifications", qos=QOS_AT_LEAST_ONCE)
        assert subscribed.wait(TIMEOUT_SECONDS)
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
    received: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
    with device() as subscriber:
        subscribed = threading.Event()
        subscriber.on_subscribe = lambda *args: subscribed.set()
        subscriber.on_message = lambda client, userdata, message: received.put(message)
        subscriber.subscribe(f"users/{user_id}/notifications", qos=QOS_AT_LEAST_ONCE)
        assert subscribed.wait(TIMEOUT_SECONDS)

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
        device() as sensor,
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
    with device() as sensor:
        for index in range(3):
            _publish(sensor, f"devices/{user_id}/meter", {"title": f"reading {index}"})

    with running_bridge():
        _wait_for(lambda: len(_device_messages(user_id)) == 3)

    assert [n.title for n in _device_messages(user_id)] == [f"reading {i}" for i in range(3)]


def test_a_redelivered_message_with_an_id_is_kept_once_and_bad_ones_do_not_block(
    transactional_db: None, bridge_client_id: str
) -> None:
    user_id = uuid.uuid4()
    with running_bridge(), device() as sensor:
        _publish(sensor, "devices/not-a-user/x", {"title": "nobody's"})
        _publish(sensor, f"devices/{user_id}/x", {"id": "m-1", "title": "once"})
        _publish(sensor, f"devices/{user_id}/x", {"id": "m-1", "title": "once"})
        _publish(sensor, f"devices/{user_id}/x", "plain text")
        _wait_for(lambda: len(_device_messages(user_id)) == 2)

    stored = _device_messages(user_id)
    assert [(n.title, n.body) for n in stored] == [
        ("once", ""),
        ("Message from your device", "plain text"),
    ]
