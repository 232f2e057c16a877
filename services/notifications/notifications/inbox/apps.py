from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "notifications.inbox"
    label = "inbox"
    verbose_name = "Notification inbox"
