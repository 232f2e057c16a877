"""Issuing and rotating tokens.

Access tokens are RS256 JWTs that any service verifies against the JWKS. Refresh tokens
are opaque random strings: only accounts ever reads them, so they need no signature, and
storing just their SHA-256 makes rotation, revocation and reuse detection plain row updates.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

import jwt
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.tokens.keys import SIGNING_ALGORITHM, current_key_set
from accounts.tokens.models import RefreshToken
from accounts.users.models import User
from platform_common.api.errors import ApplicationError

logger = logging.getLogger(__name__)

REFRESH_TOKEN_BYTES = 32


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    expires_in: int


class TooManyAttempts(ApplicationError):
    """The client is locked out of logging in; ``retry_after`` seconds until it may try again."""

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(
            "Too many failed login attempts; try again later.",
            code="too_many_attempts",
            status=429,
        )
        self.retry_after = retry_after


def token_pair_obtain(*, request: HttpRequest, email: str, password: str) -> TokenPair:
    """Log in with email and password; starts a new refresh token family.

    Goes through ``django.contrib.auth.authenticate``: django-axes' backend comes first and
    refuses a client (email and IP) locked out after ``AXES_FAILURE_LIMIT`` failures, then
    ``EmailBackend`` checks the password. Every failure, the refused ones included, reaches
    axes through the ``user_login_failed`` signal; ``user_logged_in`` resets the count."""
    lockout: dict[str, str] = {}
    user = authenticate(request, email=email, password=password, response_context=lockout)
    if "error" in lockout:
        # A refused attempt restarts the cool-off (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT),
        # so all of it is left.
        cool_off = get_cool_off(request)
        raise TooManyAttempts(retry_after=math.ceil(cool_off.total_seconds()))
    if not isinstance(user, User):
        raise _invalid_credentials()
    # Also sets last_login (Django's update_last_login receiver).
    user_logged_in.send(sender=User, request=request, user=user)
    return _pair_issue(user=user, family_id=uuid.uuid4(), now=timezone.now())


def token_pair_refresh(*, refresh: str) -> TokenPair:
    """Spend a refresh token for a new pair of the same family.

    Presenting an already spent token means it leaked (or the client is replaying), so
    the whole family is revoked, including the newest refresh token the family has."""
    now = timezone.now()
    with transaction.atomic():
        stored = (
            RefreshToken.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(token_hash=_digest(refresh))
            .first()
        )
        if stored is not None and _is_spendable(stored, now=now):
            stored.used_at = now
            stored.save(update_fields=["used_at"])
            return _pair_issue(user=stored.user, family_id=stored.family_id, now=now)
    if stored is None or stored.revoked_at is not None or not stored.user.is_active:
        raise _refresh_rejected("The refresh token is not valid.", code="invalid_token")
    if stored.used_at is not None:
        # Outside the transaction above: the revocation must commit although we raise.
        RefreshToken.objects.filter(family_id=stored.family_id, revoked_at__isnull=True).update(
            revoked_at=now
        )
        logger.warning(
            "Refresh token reuse detected; revoked token family %s of user %s",
            stored.family_id,
            stored.user_id,
        )
        raise _refresh_rejected(
            "The refresh token was already used; every token of its session is revoked.",
            code="token_reused",
        )
    raise _refresh_rejected("The refresh token has expired.", code="token_expired")


def access_token_issue(*, user: User, now: datetime) -> str:
    key = current_key_set().active
    claims = {
        "iss": settings.JWT_ISSUER,
        "aud": settings.JWT_AUDIENCE,
        "sub": str(user.id),
        "iat": now,
        "exp": now + settings.JWT_ACCESS_TOKEN_LIFETIME,
        "jti": uuid.uuid4().hex,
        "roles": list(user.roles),
    }
    return jwt.encode(
        claims, key.private_key, algorithm=SIGNING_ALGORITHM, headers={"kid": key.kid}
    )


def _pair_issue(*, user: User, family_id: uuid.UUID, now: datetime) -> TokenPair:
    refresh = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    RefreshToken.objects.create(
        token_hash=_digest(refresh),
        family_id=family_id,
        user=user,
        created_at=now,
        expires_at=now + settings.JWT_REFRESH_TOKEN_LIFETIME,
    )
    return TokenPair(
        access=access_token_issue(user=user, now=now),
        refresh=refresh,
        expires_in=int(settings.JWT_ACCESS_TOKEN_LIFETIME.total_seconds()),
    )


def _is_spendable(token: RefreshToken, *, now: datetime) -> bool:
    return (
        token.used_at is None
        and token.revoked_at is None
        and token.expires_at > now
        and token.user.is_active
    )


def _digest(refresh: str) -> str:
    # A fast hash is enough: the token carries 256 random bits, nothing to brute-force.
    return hashlib.sha256(refresh.encode()).hexdigest()


def _invalid_credentials() -> ApplicationError:
    return ApplicationError(
        "Email or password is incorrect.", code="invalid_credentials", status=401
    )


def _refresh_rejected(message: str, *, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, status=401)
