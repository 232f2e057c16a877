from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "notifications.delivery"
    label = "delivery"
    verbose_name = "Notification delivery"
