"""Second factors: a TOTP authenticator, one-time recovery codes, and the login challenges
that wait for one of them."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from accounts.mfa.crypto import secret_decrypt
from platform_common.models import UUIDModel

TOTP_STEP_SECONDS = 30
TOTP_DIGITS = 6
# One step either side: the phone's clock may be off by a few seconds.
TOTP_TOLERANCE_STEPS = 1


class TotpDevice(TimestampMixin, ThrottlingMixin, Device):
    """A user's authenticator app (at most one). django-otp's ``TOTPDevice`` keeps its secret
    in clear; this one stores it encrypted (``accounts.mfa.crypto``). Unconfirmed until the
    user proved with a first code that the app holds the secret."""

    # Declared again (django-otp's is untyped) with a name to reach it from the user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_devices"
    )
    encrypted_key = models.TextField()
    # The time step of the last accepted code: a code is never accepted twice.
    last_t = models.BigIntegerField(default=-1)
    drift = models.SmallIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user"], name="mfa_totpdevice_one_per_user"),
        ]

    @property
    def bin_key(self) -> bytes:
        return secret_decrypt(self.encrypted_key)

    def verify_token(self, token: Any) -> bool:
        """django-otp's TOTP check (replay refused, throttled), on the decrypted secret.

        The caller holds the row locked (``select_for_update``); failures are saved."""
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        totp = TOTP(self.bin_key, TOTP_STEP_SECONDS, 0, TOTP_DIGITS, self.drift)
        totp.time = time.time()
        verified = bool(
            isinstance(token, str)
            and token.isdigit()
            and totp.verify(int(token), TOTP_TOLERANCE_STEPS, self.last_t + 1)
        )
        if verified:
            self.last_t = totp.t()
            self.drift = totp.drift
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment(commit=True)
        return verified

    def get_throttle_factor(self) -> int:
        return int(settings.MFA_THROTTLE_FACTOR_SECONDS)


class RecoveryCode(UUIDModel):
    """One single-use recovery code; only its SHA-256 is stored (80 random bits each)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="mfa_recovery_code_unique"),
        ]

    def __str__(self) -> str:
        return f"recovery code {self.id}"


class MfaChallenge(UUIDModel):
    """A login whose password was right, waiting for its second factor: short-lived,
    single-use, and dead after ``MFA_CHALLENGE_MAX_ATTEMPTS`` wrong codes. Only the
    SHA-256 of the challenge token is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mfa_challenges"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"MFA challenge {self.id}"
