"""Server-side state of refresh tokens, so rotation and revocation are real."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.clients import USER_AGENT_MAX_LENGTH
from platform_common.models import UUIDModel


class Session(UUIDModel):
    """One login: every refresh token rotated from it, and the access tokens they mint
    (claim ``sid``). Revoking it ends them all; the user lists their sessions by device
    (user agent), address and last use."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    # The absolute end: no rotation extends a session past it.
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    user_agent = models.CharField(max_length=USER_AGENT_MAX_LENGTH, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            # A user's live sessions: listing them, revoking them all.
            models.Index(
                fields=["user", "-last_used_at"],
                name="tokens_session_live",
                condition=models.Q(revoked_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"session {self.id}"


class RefreshToken(UUIDModel):
    """One issued refresh token. The token itself is an opaque random string; only its
    SHA-256 is stored, so a database leak yields no usable tokens. Every token issued by
    rotating another shares the original login's ``family_id`` and its
    ``session_expires_at``: rotation slides ``expires_at`` but never past the session's
    absolute end."""

    token_hash = models.CharField(max_length=64, unique=True)
    # The token family is the session (column ``family_id``, as before sessions had rows).
    family = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="refresh_tokens")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="refresh_tokens"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    session_expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"refresh token {self.id} (family {self.family_id})"
