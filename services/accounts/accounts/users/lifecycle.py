"""Business actions on an account's life as a whole: the owner's export of their data,
and the deletion of the account."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.clients import ClientInfo
from accounts.tokens.models import Session
from accounts.tokens.services import sessions_revoke_all
from accounts.users.errors import PasswordIncorrect
from accounts.users.models import (
    DEFAULT_LOCALE,
    DEFAULT_TIME_ZONE,
    AccountToken,
    avatar_storage,
)
from accounts.users.profiles import avatar_url
from accounts.users.selectors import user_get, user_get_for_update
from platform_common.events import publish

USER_DELETED = "accounts.user.deleted"
DELETED_DISPLAY_NAME = "Deleted user"
# A reserved top-level domain (RFC 2606): no mail can ever reach an anonymised address.
DELETED_EMAIL_DOMAIN = "deleted.invalid"


def user_data_export(*, user_id: UUID) -> dict[str, Any]:
    """Everything accounts keeps about the user, as JSON-ready data (the right of access)."""
    user = user_get(user_id=user_id)
    sessions = Session.objects.filter(user_id=user.id).order_by("created_at")
    return {
        "account": {
            "id": str(user.id),
            "email": user.email,
            "email_verified_at": _iso(user.email_verified_at),
            "date_joined": user.date_joined.isoformat(),
            "last_login": _iso(user.last_login),
            "roles": list(user.roles),
        },
        "profile": {
            "display_name": user.display_name,
            "bio": user.bio,
            "locale": user.locale,
            "time_zone": user.time_zone,
            "phone_number": user.phone_number,
            "avatar_url": avatar_url(user),
        },
        "sessions": [
            {
                "id": str(session.id),
                "created_at": session.created_at.isoformat(),
                "last_used_at": session.last_used_at.isoformat(),
                "expires_at": session.expires_at.isoformat(),
                "revoked_at": _iso(session.revoked_at),
                "ip_address": session.ip_address,
                "user_agent": session.user_agent,
            }
            for session in sessions
        ],
    }


def user_delete(*, user_id: UUID, password: str, client: ClientInfo | None) -> None:
    """Delete the caller's account, knowing its password: the row stays (other services
    hold its id) but keeps nothing personal; it can never sign in again, its sessions end,
    its avatar file goes, and ``accounts.user.deleted`` tells the other services."""
    with transaction.atomic():
        user = user_get_for_update(user_id=user_id)
        if not user.check_password(password):
            raise PasswordIncorrect()
        avatar = user.avatar.name
        now = timezone.now()
        user.email = f"{user.id.hex}@{DELETED_EMAIL_DOMAIN}"
        user.display_name = DELETED_DISPLAY_NAME
        user.bio = ""
        user.locale = DEFAULT_LOCALE
        user.time_zone = DEFAULT_TIME_ZONE
        user.phone_number = ""
        user.avatar.name = ""
        user.roles = []
        user.is_active = False
        user.is_staff = False
        user.set_unusable_password()
        user.deleted_at = now
        user.version += 1
        user.save()
        AccountToken.objects.filter(user_id=user.id).delete()
        sessions_revoke_all(user_id=user.id, client=client)
        publish(
            type=USER_DELETED,
            data={"user_id": str(user.id), "deleted_at": now.isoformat()},
            aggregate_id=user.id,
            aggregate_version=user.version,
        )
        if avatar:
            storage = avatar_storage()
            transaction.on_commit(lambda: storage.delete(avatar))


def user_deactivate(*, user_id: UUID, actor_id: UUID | None, client: ClientInfo | None) -> None:
    """Staff suspend an account: it cannot sign in and its sessions end (nothing erased)."""
    with transaction.atomic():
        user = user_get_for_update(user_id=user_id)
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        sessions_revoke_all(user_id=user.id, client=client, actor_id=actor_id)


def user_email_mark_verified(*, user_id: UUID) -> None:
    """Staff vouch for the email (e.g. checked by support); a verified one stays as it was."""
    with transaction.atomic():
        user = user_get_for_update(user_id=user_id)
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
