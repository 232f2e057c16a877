"""Reads of users."""

from __future__ import annotations

from uuid import UUID

from django.db.models.functions import Lower

from accounts.users.models import User


def user_get(*, user_id: UUID) -> User | None:
    return User.objects.filter(pk=user_id).first()


def user_get_by_email(*, email: str) -> User | None:
    # Filtering on Lower("email") lets Postgres use the case-insensitive unique index.
    return User.objects.alias(email_lower=Lower("email")).filter(email_lower=email.lower()).first()
