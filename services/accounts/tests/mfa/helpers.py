"""Codes as the user's authenticator app computes them, from the stored (encrypted) secret."""

from __future__ import annotations

import time

from django_otp.oath import TOTP

from accounts.clients import ClientInfo
from accounts.mfa.models import TOTP_DIGITS, TOTP_STEP_SECONDS, TotpDevice
from accounts.users.models import User

CLIENT = ClientInfo(ip_address="198.51.100.4", user_agent="pytest")


def totp_code(user: User, *, steps_ahead: int = 0) -> str:
    """The code of the current time step (``steps_ahead``: a later one. A code is accepted
    once and the check allows one step of clock drift, so a test needing a second code
    takes the next step's)."""
    device = TotpDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, TOTP_STEP_SECONDS, 0, TOTP_DIGITS)
    totp.time = time.time() + steps_ahead * TOTP_STEP_SECONDS
    return f"{totp.token():0{TOTP_DIGITS}d}"


def wrong_code(user: User) -> str:
    """A well-formed code that is not the current one."""
    return "000000" if totp_code(user) != "000000" else "111111"
