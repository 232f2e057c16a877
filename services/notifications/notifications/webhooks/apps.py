from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "notifications.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Registers the delivery task with the worker's Celery app.
        from notifications.delivery.channels import register_channel
        from notifications.preferences.types import Channel
        from notifications.webhooks import tasks  # noqa: F401
        from notifications.webhooks.services import WebhookSender

        register_channel(Channel.WEBHOOK, WebhookSender())
