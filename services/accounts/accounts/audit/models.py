"""The security audit log: who signed in, failed, got locked out, ended sessions, changed
their password or second factor, or had a role granted, from which address and device."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.clients import USER_AGENT_MAX_LENGTH
from platform_common.models import UUIDModel


class AuditEvent(models.TextChoices):
    LOGIN_SUCCEEDED = "login_succeeded", "Signed in"
    LOGIN_FAILED = "login_failed", "Sign-in failed"
    LOGIN_LOCKED_OUT = "login_locked_out", "Sign-in locked out"
    MFA_CHALLENGE_FAILED = "mfa_challenge_failed", "Second factor failed"
    MFA_LOCKED_OUT = "mfa_locked_out", "Second factor locked out"
    MFA_ENABLED = "mfa_enabled", "MFA enabled"
    MFA_DISABLED = "mfa_disabled", "MFA disabled"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated", "Recovery codes regenerated"
    SESSION_REVOKED = "session_revoked", "Session revoked"
    SESSIONS_REVOKED = "sessions_revoked", "Sessions revoked"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET = "password_reset", "Password reset"
    ROLE_GRANTED = "role_granted", "Role granted"
    ROLE_REVOKED = "role_revoked", "Role revoked"


class AuditEntry(UUIDModel):
    """One security-relevant event. Written by the service that makes the change, in its
    transaction: an entry exists exactly when the change committed. Never updated."""

    occurred_at = models.DateTimeField(default=timezone.now)
    event = models.CharField(max_length=40, choices=AuditEvent.choices)
    # Whose account it concerns (None: a failed sign-in for no known account). Entries
    # outlive nothing: deleting a user deletes their log with their data.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    # Who did it when not the user themself (an admin granting a role).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries_as_actor",
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=USER_AGENT_MAX_LENGTH, blank=True)
    # Event-specific facts (a session id, a role, a count); never a secret.
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "audit entries"
        indexes: ClassVar[list[models.Index]] = [
            # A user's recent activity, newest first.
            models.Index(fields=["user", "-occurred_at"], name="audit_user_recent"),
            models.Index(fields=["-occurred_at"], name="audit_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.event} at {self.occurred_at:%Y-%m-%d %H:%M:%S}"
