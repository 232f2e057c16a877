"""Reads of the audit log."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from accounts.audit.models import AuditEntry


def audit_list_for_user(*, user_id: UUID) -> QuerySet[AuditEntry]:
    """The user's own activity, newest first."""
    return AuditEntry.objects.filter(user_id=user_id).order_by("-occurred_at", "-id")
