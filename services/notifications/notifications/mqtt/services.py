"""Notifications out to MQTT, device messages in: the two actions of the bridge."""

import json
import logging
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

import paho.mqtt.client as mqtt
from django.conf import settings

from notifications.delivery.channels import OutgoingMessage, TransientDeliveryError
from notifications.inbox.models import Notification
from notifications.inbox.serializers import NotificationOutputSerializer
from notifications.inbox.services import notification_create
from notifications.mqtt.client import QOS_AT_LEAST_ONCE, mqtt_client, user_notifications_topic

logger = logging.getLogger(__name__)

DEVICE_KIND = "device_message"
# Title of a device message that names none (the inbox needs one).
DEFAULT_DEVICE_TITLE = "Message from your device"
TITLE_MAX = 200
CONNECT_POLL_SECONDS = 0.02


class MqttUnavailableError(Exception):
    """The broker did not acknowledge a publish in time; the caller retries."""


_publisher: mqtt.Client | None = None
_publisher_lock = threading.Lock()


def _connected_publisher() -> mqtt.Client:
    """The process's publishing connection, opened on first use (its network thread
    reconnects by itself)."""
    global _publisher
    with _publisher_lock:
        if _publisher is None:
            client = mqtt_client(
                client_id=f"notifications-publisher-{uuid.uuid4().hex[:12]}",
                persistent_session=False,
            )
            client.connect_async(settings.MQTT_HOST, settings.MQTT_PORT, keepalive=30)
            client.loop_start()
            _publisher = client
        return _publisher


def mqtt_publish_notification(*, notification: Notification) -> None:
    """Publish ``notification`` as the REST API shows it (with its ``sequence``, so a
    subscriber can drop a redelivered copy); see ``mqtt_publish``."""
    mqtt_publish(
        user_id=notification.user_id, payload=NotificationOutputSerializer(notification).data
    )


class MqttSender:
    """The ``mqtt`` channel of deliveries: the rendered message on the user's topic (its
    ``id`` is the delivery's, the same on a redelivery)."""

    def send(self, message: OutgoingMessage) -> None:
        payload = {
            "id": str(message.delivery_id),
            "kind": message.notification_type,
            "title": message.subject,
            "body": message.text,
            "link": message.link,
            "data": message.data,
        }
        try:
            mqtt_publish(user_id=message.recipient_id, payload=payload)
        except MqttUnavailableError as error:
            raise TransientDeliveryError(str(error)) from error


def mqtt_publish(*, user_id: uuid.UUID, payload: Mapping[str, Any]) -> None:
    """Publish ``payload`` (JSON) on ``users/<user id>/notifications`` with QoS 1.

    Returns once the broker acknowledged it (PUBACK); raises ``MqttUnavailableError`` when
    it did not within ``MQTT_PUBLISH_TIMEOUT_SECONDS``, for the delivery task to retry.
    """
    body = json.dumps(payload, default=str)
    client = _connected_publisher()
    # Right after start, or while it reconnects: a publish would be refused, not queued.
    deadline = time.monotonic() + settings.MQTT_PUBLISH_TIMEOUT_SECONDS
    while not client.is_connected():
        if time.monotonic() > deadline:
            raise MqttUnavailableError("the MQTT broker is not reachable")
        time.sleep(CONNECT_POLL_SECONDS)
    info = client.publish(user_notifications_topic(user_id), body, qos=QOS_AT_LEAST_ONCE)
    try:
        info.wait_for_publish(timeout=settings.MQTT_PUBLISH_TIMEOUT_SECONDS)
    except (RuntimeError, ValueError) as error:  # not queued: too many in flight, or gone
        raise MqttUnavailableError(str(error)) from error
    if not info.is_published():
        raise MqttUnavailableError("the broker did not acknowledge the publish in time")


def device_message_receive(*, user_id: uuid.UUID, topic: str, payload: bytes) -> Notification:
    """Put a device's message in its user's inbox (and so on their open sockets).

    A JSON object may name ``title``, ``body``, ``data`` and an ``id``: a message with an
    ``id`` is kept once per user however often the broker redelivers it (QoS 1 is at least
    once). Anything else is kept as the body text.
    """
    message: Any
    try:
        message = json.loads(payload)
    except ValueError:
        message = None
    if not isinstance(message, dict):
        message = {"body": payload.decode("utf-8", errors="replace")}
    data = message.get("data")
    message_id = message.get("id")
    return notification_create(
        user_id=user_id,
        kind=DEVICE_KIND,
        title=str(message.get("title") or DEFAULT_DEVICE_TITLE)[:TITLE_MAX],
        body=str(message.get("body") or ""),
        data={"topic": topic, **(data if isinstance(data, dict) else {})},
        dedup_key=f"mqtt:{message_id}"[:200] if message_id is not None else None,
    )
