from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "accounts.teams"
    label = "teams"
    verbose_name = "Teams"
