from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "notifications.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Registers the delivery task with the worker's Celery app.
        from notifications.webhooks import tasks  # noqa: F401
