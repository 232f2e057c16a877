from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "notifications.subscriptions"
    label = "subscriptions"
    verbose_name = "Subscriptions"
