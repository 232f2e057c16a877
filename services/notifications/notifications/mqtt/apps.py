from django.apps import AppConfig


class MqttConfig(AppConfig):
    name = "notifications.mqtt"
    label = "mqtt"
    verbose_name = "MQTT bridge"
