"""Connections to the MQTT broker (paho-mqtt), configured from the settings.

Topics: the service publishes each user's notifications on ``users/<user id>/notifications``
and reads devices' messages on ``devices/<user id>/<anything>``. Which client may publish
where is the broker's to enforce (an ACL such as ``pattern write devices/%u/#`` with each
device signed in as its user): the bridge trusts the user id in the topic.
"""

import uuid

import paho.mqtt.client as mqtt
from django.conf import settings
from paho.mqtt.enums import CallbackAPIVersion

QOS_AT_LEAST_ONCE = 1
DEVICE_TOPICS = "devices/+/#"


def user_notifications_topic(user_id: uuid.UUID) -> str:
    return f"users/{user_id}/notifications"


def device_topic_user(topic: str) -> uuid.UUID | None:
    """The user a ``devices/<user id>/...`` topic belongs to; None for any other topic."""
    parts = topic.split("/")
    if len(parts) < 3 or parts[0] != "devices":
        return None
    try:
        return uuid.UUID(parts[1])
    except ValueError:
        return None


def mqtt_client(*, client_id: str, persistent_session: bool) -> mqtt.Client:
    """A client for the configured broker, not yet connected.

    ``persistent_session``: the broker keeps the subscriptions and queues QoS 1 messages
    for ``client_id`` while it is away (MQTT 3.1.1 clean session off), so a restart of
    either side loses nothing.
    """
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=not persistent_session,
        protocol=mqtt.MQTTv311,
        reconnect_on_failure=True,
    )
    if settings.MQTT_USERNAME:
        client.username_pw_set(settings.MQTT_USERNAME, settings.MQTT_PASSWORD or None)
    if settings.MQTT_TLS:
        client.tls_set()
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    return client
