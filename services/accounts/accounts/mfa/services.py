"""Business actions of multi-factor authentication: enrol, confirm and disable a TOTP
authenticator, recovery codes, and the login that waits for a second factor."""

from __future__ import annotations

import base64
import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.util import random_hex

from accounts.audit.alerts import SecurityAlertKind
from accounts.audit.models import AuditEvent
from accounts.audit.services import audit_record
from accounts.clients import ClientInfo
from accounts.mfa.crypto import secret_encrypt
from accounts.mfa.errors import (
    MfaAlreadyEnabled,
    MfaChallengeInvalid,
    MfaCodeIncorrect,
    MfaLoginCodeInvalid,
    MfaNotEnabled,
    MfaNotEnrolled,
    MfaTooManyAttempts,
)
from accounts.mfa.models import (
    TOTP_DIGITS,
    TOTP_STEP_SECONDS,
    MfaChallenge,
    RecoveryCode,
    TotpDevice,
)
from accounts.tokens.services import TokenPair, credentials_authenticate, session_start
from accounts.users.models import User
from platform_common.api.errors import ApplicationError

TOTP_SECRET_BYTES = 20  # RFC 4226's recommended 160 bits
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_BYTES = 10  # 80 bits: 16 base32 characters
CHALLENGE_BYTES = 32


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str  # base32, as authenticator apps take it typed
    otpauth_uri: str


@dataclass(frozen=True)
class MfaChallengeIssued:
    challenge: str
    expires_in: int


def _digest(value: str) -> str:
    # A fast hash is enough: challenges and recovery codes carry 80+ random bits.
    return hashlib.sha256(value.encode()).hexdigest()


def _device_for_update(*, user_id: UUID, confirmed: bool) -> TotpDevice | None:
    device: TotpDevice | None = (
        TotpDevice.objects.select_for_update()
        .select_related("user")
        .filter(user_id=user_id, confirmed=confirmed)
        .first()
    )
    return device


def totp_enrol(*, user_id: UUID) -> TotpEnrolment:
    """Start (or restart) enrolling an authenticator: a new secret, unconfirmed until a
    code from it is confirmed."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(id=user_id)
        if TotpDevice.objects.filter(user=user, confirmed=True).exists():
            raise MfaAlreadyEnabled()
        TotpDevice.objects.filter(user=user).delete()
        key = bytes.fromhex(random_hex(TOTP_SECRET_BYTES))
        TotpDevice.objects.create(
            user=user, name="authenticator", confirmed=False, encrypted_key=secret_encrypt(key)
        )
    secret = base64.b32encode(key).decode().rstrip("=")
    return TotpEnrolment(secret=secret, otpauth_uri=_otpauth_uri(user=user, secret=secret))


def _otpauth_uri(*, user: User, secret: str) -> str:
    """The Key URI Format authenticator apps scan from a QR code."""
    issuer = settings.MFA_TOTP_ISSUER.replace(":", "")
    params = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": TOTP_DIGITS,
            "period": TOTP_STEP_SECONDS,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{quote(f'{issuer}:{user.email}')}?{params}"


def totp_confirm(*, user_id: UUID, code: str, client: ClientInfo) -> list[str]:
    """Confirm the pending authenticator with a code from it: MFA is on from now on.
    Returns the recovery codes, shown this once."""
    with transaction.atomic():
        device = _device_for_update(user_id=user_id, confirmed=False)
        if device is None:
            raise MfaNotEnrolled()
        check = _code_check(device=device, code=code, recovery=False)
        if check.refusal is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _recovery_codes_replace(user_id=user_id)
            audit_record(
                event=AuditEvent.MFA_ENABLED,
                user_id=user_id,
                client=client,
                alert=SecurityAlertKind.MFA_ENABLED,
            )
    # Raised outside the transaction, so the counted failure stays counted.
    if check.refusal is not None:
        raise check.refusal
    return codes


def mfa_disable(*, user_id: UUID, code: str, client: ClientInfo) -> None:
    """Turn MFA off; proven with a code from the authenticator or a recovery code."""
    with transaction.atomic():
        device = _device_for_update(user_id=user_id, confirmed=True)
        if device is None:
            raise MfaNotEnabled()
        check = _code_check(device=device, code=code, recovery=True)
        if check.refusal is None:
            device.delete()
            RecoveryCode.objects.filter(user_id=user_id).delete()
            audit_record(
                event=AuditEvent.MFA_DISABLED,
                user_id=user_id,
                client=client,
                alert=SecurityAlertKind.MFA_DISABLED,
            )
    if check.refusal is not None:
        raise check.refusal


def recovery_codes_regenerate(*, user_id: UUID, code: str, client: ClientInfo) -> list[str]:
    """New recovery codes (the old ones stop working), proven with a current code."""
    with transaction.atomic():
        device = _device_for_update(user_id=user_id, confirmed=True)
        if device is None:
            raise MfaNotEnabled()
        check = _code_check(device=device, code=code, recovery=True)
        if check.refusal is None:
            codes = _recovery_codes_replace(user_id=user_id)
            audit_record(
                event=AuditEvent.RECOVERY_CODES_REGENERATED,
                user_id=user_id,
                client=client,
                alert=SecurityAlertKind.RECOVERY_CODES_REGENERATED,
            )
    if check.refusal is not None:
        raise check.refusal
    return codes


def _recovery_codes_replace(*, user_id: UUID) -> list[str]:
    RecoveryCode.objects.filter(user_id=user_id).delete()
    codes = [_recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user_id=user_id, code_hash=_digest(_recovery_code_normalize(code)))
        for code in codes
    )
    return codes


def _recovery_code_new() -> str:
    raw = base64.b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode()
    return "-".join(raw[index : index + 4] for index in range(0, len(raw), 4))


def _recovery_code_normalize(code: str) -> str:
    return code.replace("-", "").replace(" ", "").upper()


@dataclass(frozen=True)
class CodeCheck:
    # None when the code was accepted, else the error to raise once the transaction commits.
    refusal: ApplicationError | None
    recovery_code_used: bool = False
    locked_out: bool = False


def _code_check(*, device: TotpDevice, code: str, recovery: bool, login: bool = False) -> CodeCheck:
    """Check a code against the locked ``device``: the authenticator's, or (``recovery``) a
    recovery code, spent on success. Every failure counts against the device's throttle
    (django-otp's exponential back-off); a throttled device refuses every code until its
    delay is over."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        locked_until: datetime = (details or {}).get("locked_until") or timezone.now()
        retry_after = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
        return CodeCheck(refusal=MfaTooManyAttempts(retry_after=retry_after), locked_out=True)
    if device.verify_token(code.strip()):
        return CodeCheck(refusal=None)
    if recovery:
        spent, _ = RecoveryCode.objects.filter(
            user_id=device.user_id, code_hash=_digest(_recovery_code_normalize(code))
        ).delete()
        if spent:
            # verify_token counted a failure for the authenticator: this was no failure.
            device.throttle_reset(commit=True)
            return CodeCheck(refusal=None, recovery_code_used=True)
    return CodeCheck(refusal=MfaLoginCodeInvalid() if login else MfaCodeIncorrect())


def mfa_enabled(*, user_id: UUID) -> bool:
    enabled: bool = TotpDevice.objects.filter(user_id=user_id, confirmed=True).exists()
    return enabled


def login_start(
    *, request: HttpRequest, client: ClientInfo, email: str, password: str
) -> TokenPair | MfaChallengeIssued:
    """Log in with email and password: tokens at once, or, for a user with MFA, a challenge
    that ``login_challenge_complete`` turns into tokens with a second factor."""
    # The password was right: the login lockout's count resets here already; wrong second
    # factors are counted by the authenticator's own throttle and the challenge's attempts.
    user = credentials_authenticate(request=request, client=client, email=email, password=password)
    if not mfa_enabled(user_id=user.id):
        _, pair = session_start(user=user, client=client)
        return pair
    token = secrets.token_urlsafe(CHALLENGE_BYTES)
    now = timezone.now()
    MfaChallenge.objects.create(
        user=user,
        token_hash=_digest(token),
        created_at=now,
        expires_at=now + settings.MFA_CHALLENGE_LIFETIME,
    )
    return MfaChallengeIssued(
        challenge=token, expires_in=int(settings.MFA_CHALLENGE_LIFETIME.total_seconds())
    )


def login_challenge_complete(*, challenge: str, code: str, client: ClientInfo) -> TokenPair:
    """Spend a login challenge with an authenticator or recovery code: a new session.

    The challenge is single-use; ``MFA_CHALLENGE_MAX_ATTEMPTS`` wrong codes end it."""
    now = timezone.now()
    with transaction.atomic():
        stored = (
            MfaChallenge.objects.select_for_update()
            .filter(token_hash=_digest(challenge), used_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if stored is None or stored.failed_attempts >= settings.MFA_CHALLENGE_MAX_ATTEMPTS:
            raise MfaChallengeInvalid()
        device = _device_for_update(user_id=stored.user_id, confirmed=True)
        if device is None or not device.user.is_active:  # MFA turned off meanwhile
            raise MfaChallengeInvalid()
        check = _login_code_check(device=device, code=code, client=client)
        if check.refusal is None:
            stored.used_at = now
            stored.save(update_fields=["used_at"])
            _, pair = session_start(user=device.user, client=client, mfa=True)
        else:
            stored.failed_attempts += 1
            stored.save(update_fields=["failed_attempts"])
    if check.refusal is not None:
        raise check.refusal
    return pair


def mfa_login_code_verify(*, user_id: UUID, code: str, client: ClientInfo) -> None:
    """Check the second factor of a sign-in that makes no token session (the admin's, whose
    password Django checked): an authenticator or recovery code of the user's confirmed
    device, throttled and audited like a login challenge's. Raises when refused."""
    with transaction.atomic():
        device = _device_for_update(user_id=user_id, confirmed=True)
        if device is None:
            raise MfaNotEnabled()
        check = _login_code_check(device=device, code=code, client=client)
    if check.refusal is not None:
        raise check.refusal


def _login_code_check(*, device: TotpDevice, code: str, client: ClientInfo) -> CodeCheck:
    """A login's second factor checked against the locked ``device`` (a recovery code
    counts), with the audit entry of a spent recovery code or of the refusal."""
    check = _code_check(device=device, code=code, recovery=True, login=True)
    if check.refusal is None:
        if check.recovery_code_used:
            audit_record(
                event=AuditEvent.RECOVERY_CODE_USED,
                user_id=device.user_id,
                client=client,
                details={"left": RecoveryCode.objects.filter(user_id=device.user_id).count()},
            )
    else:
        audit_record(
            event=AuditEvent.MFA_LOCKED_OUT
            if check.locked_out
            else AuditEvent.MFA_CHALLENGE_FAILED,
            user_id=device.user_id,
            client=client,
        )
    return check
