from django.apps import AppConfig


class MfaConfig(AppConfig):
    name = "accounts.mfa"
    label = "mfa"
    default_auto_field = "django.db.models.BigAutoField"
