"""Business actions on users."""

from __future__ import annotations

from django.contrib.auth.base_user import BaseUserManager
from django.db import IntegrityError, transaction

from accounts.users.errors import EmailTaken
from accounts.users.models import EMAIL_UNIQUE_CONSTRAINT, User
from platform_common.events import publish

USER_REGISTERED = "accounts.user.registered"


def email_normalize(email: str) -> str:
    """Trim and lower-case the domain; the local part keeps the case the user chose."""
    return BaseUserManager.normalize_email(email.strip())


def user_register(*, email: str, password: str, display_name: str) -> User:
    """Create an active user and publish ``accounts.user.registered`` in the same transaction.

    The password must already have passed the password validators."""
    user = User(email=email_normalize(email), display_name=display_name.strip())
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            publish(
                type=USER_REGISTERED,
                data={
                    "user_id": str(user.id),
                    "email": user.email,
                    "display_name": user.display_name,
                },
                aggregate_id=user.id,
                aggregate_version=user.version,
            )
    except IntegrityError as error:
        # The constraint, not a prior lookup, decides: two concurrent sign-ups cannot both win.
        if _violated_constraint(error) == EMAIL_UNIQUE_CONSTRAINT:
            raise EmailTaken() from error
        raise
    return user


def _violated_constraint(error: IntegrityError) -> str | None:
    diagnostics = getattr(error.__cause__, "diag", None)
    return getattr(diagnostics, "constraint_name", None)
