"""Reads of sessions."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from accounts.tokens.models import Session


def session_list_active(*, user_id: UUID) -> QuerySet[Session]:
    """The user's sessions that can still refresh, most recently used first."""
    return Session.objects.filter(
        user_id=user_id, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-last_used_at", "-id")
