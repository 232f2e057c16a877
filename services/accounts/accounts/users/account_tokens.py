"""Single-use, expiring tokens mailed to users: issued, then consumed at most once.

The token is 256 random bits, shown once in the link that is mailed; only its SHA-256 is
stored (nothing to brute-force, so a fast hash is enough)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from accounts.users.models import AccountToken, AccountTokenPurpose, User

TOKEN_BYTES = 32


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def account_token_issue(
    *, user: User, purpose: AccountTokenPurpose, lifetime: timedelta
) -> tuple[str, AccountToken]:
    """A new token for ``user``; the user's earlier unused ones of ``purpose`` stop working,
    so only the newest mail's link does. Call inside the caller's transaction."""
    now = timezone.now()
    AccountToken.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(
        used_at=now
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    stored = AccountToken.objects.create(
        user=user,
        purpose=purpose,
        token_hash=token_digest(token),
        created_at=now,
        expires_at=now + lifetime,
    )
    return token, stored


def account_token_peek(*, token: str, purpose: AccountTokenPurpose) -> AccountToken | None:
    """The live token (unused, unexpired) with its user, without spending it."""
    return (
        AccountToken.objects.select_related("user")
        .filter(
            token_hash=token_digest(token),
            purpose=purpose,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


def account_token_consume(*, token: str, purpose: AccountTokenPurpose) -> User | None:
    """Spend the token: its user, or None when it is unknown, expired or already spent.

    One conditional UPDATE decides, so two concurrent uses cannot both succeed."""
    now = timezone.now()
    spent = (
        AccountToken.objects.filter(
            token_hash=token_digest(token),
            purpose=purpose,
            used_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        )
        .values_list("user_id", flat=True)
        .first()
    )
    if spent is None:
        return None
    updated = AccountToken.objects.filter(
        token_hash=token_digest(token), used_at__isnull=True
    ).update(used_at=now)
    return User.objects.get(pk=spent) if updated else None
