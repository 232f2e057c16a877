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

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.audit.alerts import SecurityAlertKind
from accounts.audit.models import AuditEvent
from accounts.audit.services import audit_record
from accounts.clients import ClientInfo
from accounts.teams.selectors import team_claims
from accounts.tokens.errors import (
    InvalidCredentials,
    RefreshTokenExpired,
    RefreshTokenInvalid,
    RefreshTokenReused,
    RefreshTokenRotated,
    TooManyAttempts,
)
from accounts.tokens.keys import current_key_set
from accounts.tokens.models import RefreshToken, Session
from accounts.users.models import User
from accounts.users.selectors import user_get_by_email
from platform_common.api.errors import ApplicationError
from platform_common.api.selectors import get_object_or_not_found
from platform_common.auth.sessions import SESSION_CLAIM, revoked_session_key
from platform_common.auth.signing import sign_access_token
from platform_common.cache import RedisClusterCache

logger = logging.getLogger(__name__)

REFRESH_TOKEN_BYTES = 32


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    expires_in: int


def credentials_authenticate(
    *, request: HttpRequest, client: ClientInfo, email: str, password: str
) -> User:
    """Check a login's email and password; the user they belong to.

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
        _login_refusal_record(event=AuditEvent.LOGIN_LOCKED_OUT, email=email, client=client)
        raise TooManyAttempts(retry_after=math.ceil(cool_off.total_seconds()))
    if not isinstance(user, User):
        _login_refusal_record(event=AuditEvent.LOGIN_FAILED, email=email, client=client)
        raise InvalidCredentials()
    # Also sets last_login (Django's update_last_login receiver).
    user_logged_in.send(sender=User, request=request, user=user)
    return user


def _login_refusal_record(*, event: AuditEvent, email: str, client: ClientInfo) -> None:
    """Log a refused login on the account the email names, if any (the typed email itself is
    not kept: it is sometimes a password typed into the wrong field)."""
    account = user_get_by_email(email=email.strip())
    audit_record(event=event, user_id=account.id if account else None, client=client)


def session_start(
    *, user: User, client: ClientInfo, mfa: bool = False
) -> tuple[Session, TokenPair]:
    """Open a session (a new refresh token family) for a user who proved who they are
    (``mfa``: with a second factor too); the sign-in is audited with it.

    Call it inside the caller's transaction when something else must commit with it."""
    now = timezone.now()
    with transaction.atomic():
        new_device = _device_is_new(user=user, client=client)
        session = Session.objects.create(
            user=user,
            created_at=now,
            last_used_at=now,
            expires_at=now + settings.JWT_REFRESH_SESSION_LIFETIME,
            user_agent=client.user_agent,
            ip_address=client.ip_address,
        )
        pair = _pair_issue(
            user=user,
            family_id=session.id,
            session_expires_at=session.expires_at,
            now=now,
        )
        audit_record(
            event=AuditEvent.LOGIN_SUCCEEDED,
            user_id=user.id,
            client=client,
            details={"session_id": str(session.id), "mfa": mfa},
            alert=SecurityAlertKind.NEW_DEVICE_SIGN_IN if new_device else None,
        )
    return session, pair


def _device_is_new(*, user: User, client: ClientInfo) -> bool:
    """A sign-in from a client (User-Agent) none of the user's sessions came from; never
    the first sign-in of an account, nor one from a client that sends no User-Agent."""
    if not client.user_agent:
        return False
    sessions = Session.objects.filter(user=user)
    return sessions.exists() and not sessions.filter(user_agent=client.user_agent).exists()


def token_pair_refresh(*, refresh: str, ip_address: str | None = None) -> TokenPair:
    """Spend a refresh token for a new pair of the same session (token family).

    Every rotation and revocation of one family runs under one lock, so they happen one
    after the other. A token spent again within ``JWT_REFRESH_REUSE_GRACE`` is a concurrent
    duplicate (two tabs refreshing at once): refused with a retryable conflict, the session
    lives on. Later, it means the token leaked (or a client replays it): the whole family
    is revoked, including every token minted before the lock was ours."""
    digest = _digest(refresh)
    family_id = (
        RefreshToken.objects.filter(token_hash=digest).values_list("family_id", flat=True).first()
    )
    if family_id is None:
        raise RefreshTokenInvalid()
    with transaction.atomic():
        _family_lock(family_id)
        stored = (
            RefreshToken.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(token_hash=digest)
            .first()
        )
        if stored is None:  # its user was deleted meanwhile
            raise RefreshTokenInvalid()
        now = timezone.now()  # after the wait for the lock
        if _is_spendable(stored, now=now):
            stored.used_at = now
            stored.save(update_fields=["used_at"])
            Session.objects.filter(id=family_id).update(last_used_at=now, ip_address=ip_address)
            return _pair_issue(
                user=stored.user,
                family_id=family_id,
                session_expires_at=stored.session_expires_at,
                now=now,
            )
        rejection = _refresh_rejection(stored, now=now)
        if isinstance(rejection, RefreshTokenReused):
            _session_end(user_id=stored.user_id, session_id=family_id, now=now)
    if isinstance(rejection, RefreshTokenReused):
        logger.warning(
            "Refresh token reuse detected; revoked token family %s of user %s",
            family_id,
            stored.user_id,
        )
    raise rejection


def _family_lock(family_id: uuid.UUID) -> None:
    """Serializes the refreshes and revocations of one family until the transaction ends."""
    key = int.from_bytes(family_id.bytes[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _refresh_rejection(token: RefreshToken, *, now: datetime) -> ApplicationError:
    if token.revoked_at is not None or not token.user.is_active:
        return RefreshTokenInvalid()
    if token.used_at is not None:
        if now - token.used_at <= settings.JWT_REFRESH_REUSE_GRACE:
            return RefreshTokenRotated()
        return RefreshTokenReused()
    return RefreshTokenExpired()


def session_revoke(*, user_id: uuid.UUID, session_id: uuid.UUID, client: ClientInfo | None) -> None:
    """End one live session of the user (404 when there is none such): its refresh tokens
    stop working at once, its access tokens at the gateway within seconds."""
    with transaction.atomic():
        session = get_object_or_not_found(
            Session.objects.filter(user_id=user_id, revoked_at__isnull=True),
            id=session_id,
            message="No such active session.",
        )
        _family_lock(session.id)
        _session_end(user_id=user_id, session_id=session.id, now=timezone.now())
        audit_record(
            event=AuditEvent.SESSION_REVOKED,
            user_id=user_id,
            client=client,
            details={"session_id": str(session.id)},
        )


def sessions_revoke_all(
    *,
    user_id: uuid.UUID,
    client: ClientInfo | None,
    keep_session_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    alert: bool = False,
) -> int:
    """End every live session of the user but ``keep_session_id``; how many ended.
    ``alert``: the owner is told (when they ended them all, not as part of another change
    that tells of itself, as a password change)."""
    now = timezone.now()
    with transaction.atomic():
        live = Session.objects.filter(user_id=user_id, revoked_at__isnull=True)
        if keep_session_id is not None:
            live = live.exclude(id=keep_session_id)
        # Locked in one order, so two concurrent revoke-alls cannot deadlock.
        ended = list(live.order_by("id").values_list("id", flat=True))
        for session_id in ended:
            _family_lock(session_id)
            _session_end(user_id=user_id, session_id=session_id, now=now)
        if ended:
            audit_record(
                event=AuditEvent.SESSIONS_REVOKED,
                user_id=user_id,
                client=client,
                actor_id=actor_id,
                details={"count": len(ended)},
                alert=SecurityAlertKind.SESSIONS_REVOKED if alert else None,
            )
    return len(ended)


def _session_end(*, user_id: uuid.UUID, session_id: uuid.UUID, now: datetime) -> None:
    """Revoke the session's rows, then (once committed) list it as revoked in Redis for as
    long as its last access token can live, where the gateway refuses those tokens."""
    Session.objects.filter(id=session_id, revoked_at__isnull=True).update(revoked_at=now)
    RefreshToken.objects.filter(family_id=session_id, revoked_at__isnull=True).update(
        revoked_at=now
    )
    key = revoked_session_key(user_id=user_id, session_id=session_id)
    transaction.on_commit(lambda: _revocation_publish(key))


def _revocation_publish(key: str) -> None:
    lifetime = int(settings.JWT_ACCESS_TOKEN_LIFETIME.total_seconds())
    try:
        redis_cache = caches["default"]
        assert isinstance(redis_cache, RedisClusterCache)
        # A raw key (no cache prefix or version): the gateway reads it by this exact name.
        redis_cache.cluster.set(key, 1, ex=lifetime)
    except Exception:
        # The session is revoked in the database whatever happens here: its refresh tokens
        # are dead, and its access tokens expire within the access token lifetime.
        logger.exception("Could not list revoked session %s in Redis", key)


def access_token_issue(*, user: User, now: datetime, session_id: uuid.UUID) -> str:
    key = current_key_set().signing_key(now=now)
    return sign_access_token(
        private_key=key.private_key,
        kid=key.kid,
        issuer=settings.JWT_ISSUER,
        audience=settings.JWT_AUDIENCE,
        subject=str(user.id),
        roles=user.roles,
        issued_at=now,
        lifetime=settings.JWT_ACCESS_TOKEN_LIFETIME,
        extra_claims={SESSION_CLAIM: str(session_id), **team_claims(user_id=user.id)},
    )


def _pair_issue(
    *, user: User, family_id: uuid.UUID, session_expires_at: datetime, now: datetime
) -> TokenPair:
    refresh = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    RefreshToken.objects.create(
        token_hash=_digest(refresh),
        family_id=family_id,
        user=user,
        created_at=now,
        # Sliding, but never past the session's absolute end.
        expires_at=min(now + settings.JWT_REFRESH_TOKEN_LIFETIME, session_expires_at),
        session_expires_at=session_expires_at,
    )
    return TokenPair(
        access=access_token_issue(user=user, now=now, session_id=family_id),
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
