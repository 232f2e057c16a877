"""Notification types and delivery channels, and which channels each type uses by default."""

from django.db import models


class NotificationType(models.TextChoices):
    # Account mails: transactional, always by email, never muted, delayed or digested.
    ACCOUNT_VERIFICATION = "account_verification", "Email address verification"
    ACCOUNT_PASSWORD_RESET = "account_password_reset", "Password reset"
    # What users choose to hear about (subscriptions) or what concerns their own content.
    ARTICLE_PUBLISHED = "article_published", "Article published by someone you follow"
    ARTICLE_SUBMITTED = "article_submitted", "Article submitted for review (editors)"
    COMMENT_CREATED = "comment_created", "Comment on your article or one you follow"
    COMMENT_REPLY = "comment_reply", "Reply to your comment"
    COMMENT_MODERATED = "comment_moderated", "Your comment was moderated"


class Channel(models.TextChoices):
    IN_APP = "in_app", "In-app inbox"
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    PUSH = "push", "Push"
    MQTT = "mqtt", "MQTT"
    WEBHOOK = "webhook", "Webhook"


class DigestMode(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately"
    HOURLY = "hourly", "Hourly digest"
    DAILY = "daily", "Daily digest"


TRANSACTIONAL = frozenset(
    {NotificationType.ACCOUNT_VERIFICATION, NotificationType.ACCOUNT_PASSWORD_RESET}
)
CONFIGURABLE = [kind for kind in NotificationType if kind not in TRANSACTIONAL]
# On unless the user turns them off; every other channel is opt-in.
DEFAULT_CHANNELS = frozenset({Channel.IN_APP, Channel.EMAIL})
