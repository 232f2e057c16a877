"""A user's in-app notifications."""

from django.db import models

from platform_common.models import TimestampedModel


class Notification(TimestampedModel):
    user_id = models.UUIDField()
    # The user's own running number (1, 2, ...), taken from UserSequence in the transaction
    # that creates the row: a reconnecting socket asks for everything after the last it saw.
    sequence = models.BigIntegerField()
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Where the notification leads in the web app (a path such as /articles/<slug>), or "".
    link = models.CharField(max_length=500, blank=True, default="")
    read_at = models.DateTimeField(null=True, blank=True)
    # Set when a notification must exist at most once per user (e.g. "welcome"), so
    # replaying its cause cannot create a second one.
    dedup_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001

    class Meta:
        indexes = [
            models.Index(fields=["user_id", "-created_at"], name="inbox_user_created_idx"),
            models.Index(
                fields=["user_id"],
                condition=models.Q(read_at__isnull=True),
                name="inbox_user_unread_idx",
            ),
        ]
        constraints = [
            # Also the index of a resync (user_id, sequence > n).
            models.UniqueConstraint(fields=["user_id", "sequence"], name="inbox_user_sequence"),
            models.UniqueConstraint(
                fields=["user_id", "dedup_key"],
                condition=models.Q(dedup_key__isnull=False),
                name="inbox_unique_user_dedup_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class UserSequence(models.Model):
    """The last sequence number given to a user's notifications.

    Taking the next one locks the row until the creating transaction ends, so a user's
    notifications commit in sequence order: once n is visible, so is everything below it.
    """

    user_id = models.UUIDField(primary_key=True)
    last = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.user_id} at {self.last}"
