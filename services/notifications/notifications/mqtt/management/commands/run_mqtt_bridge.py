"""``manage.py run_mqtt_bridge``: the MQTT bridge process (see notifications.mqtt.bridge)."""

import signal
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand

from notifications.mqtt.bridge import MqttBridge


class Command(BaseCommand):
    help = "Bridge device messages from MQTT (devices/<user id>/...) into users' inboxes."

    def handle(self, *args: Any, **options: Any) -> None:
        bridge = MqttBridge()

        def stop(signum: int, frame: FrameType | None) -> None:
            bridge.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        bridge.run()
