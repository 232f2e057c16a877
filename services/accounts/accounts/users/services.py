"""Business actions on users."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from accounts.audit.alerts import SecurityAlertKind
from accounts.audit.models import AuditEvent
from accounts.audit.services import audit_record
from accounts.clients import ClientInfo
from accounts.tokens.services import sessions_revoke_all
from accounts.users.account_tokens import (
    account_token_consume,
    account_token_issue,
    account_token_peek,
)
from accounts.users.errors import AccountTokenInvalid, EmailTaken, PasswordIncorrect, RoleNotHeld
from accounts.users.models import EMAIL_UNIQUE_CONSTRAINT, AccountTokenPurpose, User
from accounts.users.selectors import user_get, user_get_by_email, user_get_for_update
from platform_common.auth.permissions import Role
from platform_common.events import publish

USER_REGISTERED = "accounts.user.registered"
VERIFICATION_REQUESTED = "accounts.user.verification_requested"
RESET_REQUESTED = "accounts.user.password_reset_requested"
# Where the mailed links open the web app; the token rides in the fragment.
VERIFY_EMAIL_PATH = "/verify-email"
RESET_PATH = "/reset-password"


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
            _verification_mail(user=user)
    except IntegrityError as error:
        # The constraint, not a prior lookup, decides: two concurrent sign-ups cannot both win.
        if _violated_constraint(error) == EMAIL_UNIQUE_CONSTRAINT:
            raise EmailTaken() from error
        raise
    return user


def _violated_constraint(error: IntegrityError) -> str | None:
    diagnostics = getattr(error.__cause__, "diag", None)
    return getattr(diagnostics, "constraint_name", None)


def _mail_link(
    *,
    user: User,
    purpose: AccountTokenPurpose,
    lifetime: timedelta,
    event_type: str,
    path: str,
    link_field: str,
) -> None:
    """Issue a token and publish the event notifications mails it from.

    The event carries the link, not the bare token: notifications mails it as it is."""
    token, stored = account_token_issue(user=user, purpose=purpose, lifetime=lifetime)
    publish(
        type=event_type,
        data={
            "user_id": str(user.id),
            "email": user.email,
            "display_name": user.display_name,
            link_field: f"{settings.ACCOUNT_LINK_BASE_URL}{path}#token={token}",
            "expires_at": stored.expires_at.isoformat(),
        },
        aggregate_id=user.id,
        aggregate_version=user.version,
    )


def _verification_mail(*, user: User) -> None:
    _mail_link(
        user=user,
        purpose=AccountTokenPurpose.VERIFY_EMAIL,
        lifetime=settings.EMAIL_VERIFICATION_LIFETIME,
        event_type=VERIFICATION_REQUESTED,
        path=VERIFY_EMAIL_PATH,
        link_field="verification_url",
    )


def email_verification_resend(*, email: str) -> None:
    """Mail a new verification link to an unverified account with this email.

    Says nothing either way: the caller answers the same for any email (no enumeration)."""
    with transaction.atomic():
        user = user_get_by_email(email=email)
        if user is not None and user.is_active and user.email_verified_at is None:
            _verification_mail(user=user)


def email_verify(*, token: str) -> User:
    """Spend a verification token: its user's email is verified from now on."""
    with transaction.atomic():
        user = account_token_consume(token=token, purpose=AccountTokenPurpose.VERIFY_EMAIL)
        if user is None:
            raise AccountTokenInvalid()
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
    return user


def password_reset_request(*, email: str) -> None:
    """Mail a password reset link to the active account with this email, if any.

    Both outcomes do the same kind of work (one indexed lookup, a few row writes when the
    account exists, no password hash): the answer and its timing say nothing about the email."""
    with transaction.atomic():
        user = user_get_by_email(email=email)
        if user is not None and user.is_active:
            _mail_link(
                user=user,
                purpose=AccountTokenPurpose.RESET_PASSWORD,
                lifetime=settings.PASSWORD_RESET_LIFETIME,
                event_type=RESET_REQUESTED,
                path=RESET_PATH,
                link_field="reset_url",
            )


def password_reset_confirm(*, token: str, new_password: str, client: ClientInfo) -> None:
    """Set a new password with a reset token; every session of the user ends.

    A reset proves the mailbox, so an unverified email becomes verified too."""
    pending = account_token_peek(token=token, purpose=AccountTokenPurpose.RESET_PASSWORD)
    if pending is None:
        raise AccountTokenInvalid()
    _password_validate(password=new_password, user=pending.user)
    with transaction.atomic():
        user = account_token_consume(token=token, purpose=AccountTokenPurpose.RESET_PASSWORD)
        if user is None:  # spent by a concurrent confirm meanwhile
            raise AccountTokenInvalid()
        user.set_password(new_password)
        user.email_verified_at = user.email_verified_at or timezone.now()
        user.save(update_fields=["password", "email_verified_at"])
        audit_record(
            event=AuditEvent.PASSWORD_RESET,
            user_id=user.id,
            client=client,
            alert=SecurityAlertKind.PASSWORD_RESET,
        )
        sessions_revoke_all(user_id=user.id, client=client)


def password_change(
    *,
    user_id: UUID,
    session_id: UUID | None,
    current_password: str,
    new_password: str,
    client: ClientInfo,
) -> None:
    """Change the password knowing the current one; every other session of the user ends
    (the one making the change stays signed in)."""
    user = user_get(user_id=user_id)
    if not user.check_password(current_password):
        raise PasswordIncorrect()
    _password_validate(password=new_password, user=user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(
            event=AuditEvent.PASSWORD_CHANGED,
            user_id=user.id,
            client=client,
            alert=SecurityAlertKind.PASSWORD_CHANGED,
        )
        sessions_revoke_all(user_id=user.id, client=client, keep_session_id=session_id)


def _password_validate(*, password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except DjangoValidationError as error:
        raise ValidationError({"new_password": list(error.messages)}) from error


def user_role_grant(
    *, user_id: UUID, role: Role, actor_id: UUID | None, client: ClientInfo | None
) -> User:
    """Give the user ``role`` (granting a held role changes nothing); tokens issued from
    now on carry it."""
    with transaction.atomic():
        user = user_get_for_update(user_id=user_id)
        if role not in user.roles:
            user.roles = sorted({*user.roles, role})
            user.save(update_fields=["roles"])
            audit_record(
                event=AuditEvent.ROLE_GRANTED,
                user_id=user.id,
                actor_id=actor_id,
                client=client,
                details={"role": str(role)},
            )
    return user


def user_role_revoke(
    *, user_id: UUID, role: Role, actor_id: UUID | None, client: ClientInfo | None
) -> User:
    """Take ``role`` from the user and end their sessions, so no live token keeps it."""
    with transaction.atomic():
        user = user_get_for_update(user_id=user_id)
        if role not in user.roles:
            raise RoleNotHeld()
        user.roles = [held for held in user.roles if held != role]
        user.save(update_fields=["roles"])
        audit_record(
            event=AuditEvent.ROLE_REVOKED,
            user_id=user.id,
            actor_id=actor_id,
            client=client,
            details={"role": str(role)},
        )
        sessions_revoke_all(user_id=user.id, client=client, actor_id=actor_id)
    return user
