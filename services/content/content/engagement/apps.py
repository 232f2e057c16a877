from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "content.engagement"
    label = "engagement"
    verbose_name = "Engagement"
