"""Reads of users."""

from __future__ import annotations

from uuid import UUID

from django.db.models.functions import Lower

from accounts.users.models import User
from platform_common.api.selectors import get_object_or_not_found


def user_get(*, user_id: UUID) -> User:
    """The user, else ``NotFoundError`` (an access token can outlive its account)."""
    return get_object_or_not_found(
        User, pk=user_id, message="The account of this token no longer exists."
    )


def user_get_for_update(*, user_id: UUID) -> User:
    """The user, locked until the caller's transaction ends, else ``NotFoundError``."""
    return get_object_or_not_found(
        User.objects.select_for_update(), pk=user_id, message="No such user."
    )


def user_get_by_email(*, email: str) -> User | None:
    # Filtering on Lower("email") lets Postgres use the case-insensitive unique index.
    return User.objects.alias(email_lower=Lower("email")).filter(email_lower=email.lower()).first()
