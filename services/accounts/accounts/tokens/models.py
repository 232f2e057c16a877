"""Server-side state of refresh tokens, so rotation and revocation are real."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from platform_common.models import UUIDModel


class RefreshToken(UUIDModel):
    """One issued refresh token. The token itself is an opaque random string; only its
    SHA-256 is stored, so a database leak yields no usable tokens. Every token issued by
    rotating another shares the original login's ``family_id`` and its
    ``session_expires_at``: rotation slides ``expires_at`` but never past the session's
    absolute end."""

    token_hash = models.CharField(max_length=64, unique=True)
    family_id = models.UUIDField(db_index=True)
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
