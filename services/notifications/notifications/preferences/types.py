"""Notification types and delivery channels, and which channels each type uses by default."""

from django.db import models


class NotificationType(models.TextChoices):
    # Account messages: transactional, never muted, delayed or digested.
    ACCOUNT_VERIFICATION = "account_verification", "Email address verification"
    ACCOUNT_PASSWORD_RESET = "account_password_reset", "Password reset"
    ACCOUNT_SECURITY_ALERT = "account_security_alert", "Security change to your account"
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


# The fixed channels of each transactional type, whatever the recipient's preferences: a
# link goes by mail only (the mailbox is what it proves); a security alert by mail and in
# the inbox, since someone who took the account could otherwise silence its alerts.
TRANSACTIONAL_CHANNELS: dict[NotificationType, frozenset[Channel]] = {
    NotificationType.ACCOUNT_VERIFICATION: frozenset({Channel.EMAIL}),
    NotificationType.ACCOUNT_PASSWORD_RESET: frozenset({Channel.EMAIL}),
    NotificationType.ACCOUNT_SECURITY_ALERT: frozenset({Channel.EMAIL, Channel.IN_APP}),
}
TRANSACTIONAL = frozenset(TRANSACTIONAL_CHANNELS)
CONFIGURABLE = [kind for kind in NotificationType if kind not in TRANSACTIONAL]
# On unless the user turns them off; every other channel is opt-in.
DEFAULT_CHANNELS = frozenset({Channel.IN_APP, Channel.EMAIL})
