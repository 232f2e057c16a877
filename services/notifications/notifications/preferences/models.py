"""A user's delivery choices: only what differs from the defaults is stored."""

from django.db import models

from notifications.preferences.types import Channel, DigestMode, NotificationType


class ChannelPreference(models.Model):
    """Whether ``notification_type`` reaches the user through ``channel`` (an override)."""

    user_id = models.UUIDField()
    notification_type = models.CharField(max_length=32, choices=NotificationType.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    enabled = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "notification_type", "channel"],
                name="channel_preference_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.notification_type}/{self.channel}={self.enabled}"


class DeliverySettings(models.Model):
    """Quiet hours (local times in the user's time zone) and the email digest mode."""

    user_id = models.UUIDField(primary_key=True)
    digest_mode = models.CharField(
        max_length=16, choices=DigestMode.choices, default=DigestMode.IMMEDIATE
    )
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | models.Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="delivery_settings_quiet_hours_both_or_none",
            )
        ]

    def __str__(self) -> str:
        return f"delivery settings of {self.user_id}"
