"""The MQTT bridge process: device messages from the broker into users' inboxes.

It subscribes to ``devices/+/#`` with QoS 1 under a fixed client id and a persistent
session, so the broker queues what arrives while the bridge or the broker restarts. A
message is acknowledged (PUBACK, manual) only once its notification is committed: a
database outage leaves it unacknowledged, the bridge reconnects after a pause and the
broker delivers it again. A message that can never be stored (a topic without a user id,
a payload the database refuses) is acknowledged and logged, so it cannot block the rest.

paho's network thread only queues what arrives; the bridge's own loop stores the messages
in order, acknowledges them and touches the liveness heartbeat.
"""

import logging
import queue
import threading
from typing import Any

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connections
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from notifications.mqtt.client import (
    DEVICE_TOPICS,
    QOS_AT_LEAST_ONCE,
    device_topic_user,
    mqtt_client,
)
from notifications.mqtt.services import device_message_receive
from platform_common import heartbeat

logger = logging.getLogger(__name__)

HEARTBEAT_NAME = "notifications-mqtt"
TICK_SECONDS = 1.0
# Pause before reconnecting after a message could not be stored.
RETRY_SECONDS = 2.0


class MqttBridge:
    def __init__(self) -> None:
        self._stop = threading.Event()
        self._received: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self.client = mqtt_client(client_id=settings.MQTT_CLIENT_ID, persistent_session=True)
        self.client.manual_ack_set(True)
        self.client.on_connect = self._on_connect
        self.client.on_message = lambda client, userdata, message: self._received.put(message)

    def run(self) -> None:
        """Bridge until ``stop()``; reconnects by itself."""
        self._connect()
        try:
            while not self._stop.is_set():
                heartbeat.touch(HEARTBEAT_NAME)
                try:
                    message = self._received.get(timeout=TICK_SECONDS)
                except queue.Empty:
                    continue
                if not self._store(message):
                    self._redeliver()
        finally:
            self.client.disconnect()
            self.client.loop_stop()
            connections.close_all()

    def stop(self) -> None:
        self._stop.set()

    def _connect(self) -> None:
        self.client.connect_async(settings.MQTT_HOST, settings.MQTT_PORT, keepalive=30)
        self.client.loop_start()

    def _redeliver(self) -> None:
        """Start the session over: the broker sends every unacknowledged message again."""
        self.client.disconnect()
        self.client.loop_stop()
        self._received = queue.Queue()  # all unacknowledged, all coming again
        self._stop.wait(RETRY_SECONDS)
        self._connect()

    def _store(self, message: mqtt.MQTTMessage) -> bool:
        """Store and acknowledge ``message``; False when the database is unavailable."""
        user_id = device_topic_user(message.topic)
        if user_id is None:
            logger.warning("MQTT message dropped: no user id in its topic %s", message.topic)
            self.client.ack(message.mid, message.qos)
            return True
        # As around a request: a broken or too old connection is not reused.
        close_old_connections()
        try:
            device_message_receive(
                user_id=user_id, topic=message.topic, payload=bytes(message.payload)
            )
        except (OperationalError, InterfaceError):
            logger.warning("MQTT message not stored; redelivery after a reconnect", exc_info=True)
            return False
        except Exception:
            logger.exception(
                "MQTT message dropped: it cannot be stored", extra={"topic": message.topic}
            )
        self.client.ack(message.mid, message.qos)
        return True

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason_code.is_failure:
            logger.warning("MQTT connection refused: %s", reason_code)
            return
        logger.info("MQTT bridge connected", extra={"session_present": flags.session_present})
        client.subscribe(DEVICE_TOPICS, qos=QOS_AT_LEAST_ONCE)
