from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class EventsConfig(AppConfig):
    name = "platform_common.events"
    label = "events"
    verbose_name = "Events (outbox, inbox)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing each installed app's events.py runs its @subscribe decorators.
        autodiscover_modules("events")
