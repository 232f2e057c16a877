"""Who notifications reach and how: the recipients' contact details (a projection of
accounts' users) and every delivery with its status."""

from django.db import models

from notifications.preferences.types import Channel, DigestMode, NotificationType
from platform_common.events.models import VersionedProjection
from platform_common.models import TimestampedModel

DEFAULT_LOCALE = "en"
DEFAULT_TIME_ZONE = "UTC"


class Contact(VersionedProjection):
    """How to reach a user, as accounts last told (registered, updated, deleted).

    A deleted user keeps an empty row (``deleted``) so that a late ``updated`` event,
    older than the deletion, is recognised as stale instead of bringing the data back.
    """

    user_id = models.UUIDField(primary_key=True)
    email = models.EmailField(max_length=254, blank=True)
    display_name = models.CharField(max_length=150, blank=True)
    locale = models.CharField(max_length=35, default=DEFAULT_LOCALE)
    time_zone = models.CharField(max_length=64, default=DEFAULT_TIME_ZONE)
    # E.164, where SMS go; "" without one (accounts.user.updated v2 carries it).
    phone_number = models.CharField(max_length=16, blank=True)
    deleted = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"contact {self.user_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SUPPRESSED = "suppressed", "Suppressed"


class Delivery(TimestampedModel):
    """One notification of one event to one recipient through one channel (at most once).

    ``context`` is what the templates render; for account mails it holds the link's
    secret, so it is emptied as soon as the delivery is final.
    """

    event_id = models.UUIDField()
    recipient_id = models.UUIDField()
    channel = models.CharField(max_length=16, choices=Channel.choices)
    notification_type = models.CharField(max_length=32, choices=NotificationType.choices)
    # An explicit destination (account mails go to the address the event names); else the
    # recipient's contact details.
    address = models.CharField(max_length=254, blank=True)
    context = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    # Why a delivery was suppressed or failed (a short code or the last error).
    reason = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Not to be attempted before (the end of the recipient's quiet hours), or null.
    not_before = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "recipient_id", "channel"], name="delivery_once"
            )
        ]
        indexes = [
            models.Index(fields=["recipient_id", "-created_at"], name="delivery_recipient_idx"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(status="pending"),
                name="delivery_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification_type} to {self.recipient_id} by {self.channel}: {self.status}"


class PushPlatform(models.TextChoices):
    ANDROID = "android", "Android (FCM)"
    IOS = "ios", "iOS (APNs)"
    WEB = "web", "Web Push"


class PushDevice(TimestampedModel):
    """A device that receives a user's push messages: the token its platform's push
    service gave the app. A token names one device, so it belongs to one user at a time
    (registered again by another user, it moves to them)."""

    user_id = models.UUIDField()
    platform = models.CharField(max_length=16, choices=PushPlatform.choices)
    token = models.CharField(max_length=4096)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "token"], name="push_device_token_once")
        ]
        indexes = [models.Index(fields=["user_id", "-created_at"], name="push_device_user_idx")]

    def __str__(self) -> str:
        return f"{self.platform} device of {self.user_id}"


class DigestItem(models.Model):
    """An email delivery held for the recipient's next digest (their digest mode when it
    was held); its delivery stays pending until the digest is sent."""

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="digest")
    recipient_id = models.UUIDField()
    digest_mode = models.CharField(max_length=16, choices=DigestMode.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["recipient_id", "created_at"], name="digest_recipient_idx")]

    def __str__(self) -> str:
        return f"digest item of {self.recipient_id}"
