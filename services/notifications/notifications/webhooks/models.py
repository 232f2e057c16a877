"""Users' webhook endpoints, the deliveries to them and every attempt of each."""

from django.db import models

from platform_common.models import TimestampedModel


class WebhookEndpoint(TimestampedModel):
    user_id = models.UUIDField(db_index=True)
    url = models.URLField(max_length=2000)
    # Notification kinds (event types) delivered here.
    event_types = models.JSONField(default=list)
    # The signing secret, encrypted with WEBHOOK_ENCRYPTION_KEY (Fernet); shown once.
    secret_encrypted = models.BinaryField()
    # Failed deliveries in a row; WEBHOOK_DISABLE_AFTER_FAILURES of them disable it.
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.url} of {self.user_id}"


class WebhookDelivery(TimestampedModel):
    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="+")
    event_type = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.event_type} to {self.endpoint_id}: {self.status}"


class WebhookAttempt(TimestampedModel):
    """One try of a delivery: what the destination answered, or why it was not reached."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"
