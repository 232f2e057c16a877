"""Encryption at rest of TOTP secrets (Fernet: AES-128-CBC with HMAC-SHA256).

``MFA_ENCRYPTION_KEYS`` lists Fernet keys, newest first: the first encrypts, every one
decrypts, so a key can be replaced without re-enrolling anyone (re-encrypt, then drop it)."""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("MFA_ENCRYPTION_KEYS is empty")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured("MFA_ENCRYPTION_KEYS holds a malformed Fernet key") from error


def secret_encrypt(secret: bytes) -> str:
    return _fernet(tuple(settings.MFA_ENCRYPTION_KEYS)).encrypt(secret).decode()


def secret_decrypt(token: str) -> bytes:
    return _fernet(tuple(settings.MFA_ENCRYPTION_KEYS)).decrypt(token.encode())
