from django.apps import AppConfig


class MqttConfig(AppConfig):
    name = "notifications.mqtt"
    label = "mqtt"
    verbose_name = "MQTT bridge"

    def ready(self) -> None:
        from notifications.delivery.channels import register_channel
        from notifications.mqtt.services import MqttSender
        from notifications.preferences.types import Channel

        register_channel(Channel.MQTT, MqttSender())
