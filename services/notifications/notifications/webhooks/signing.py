"""Webhook secrets: generated, encrypted at rest, and the signature of each delivery.

A receiver checks ``Webhook-Signature: t=<unix seconds>,v1=<hex>``: the HMAC-SHA256, keyed
with the endpoint's secret, of ``<t>.<raw body>``, and refuses an old ``t`` (replays).
"""

import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet
from django.conf import settings

SIGNATURE_HEADER = "Webhook-Signature"
TIMESTAMP_HEADER = "Webhook-Timestamp"


def _fernet() -> Fernet:
    return Fernet(settings.WEBHOOK_ENCRYPTION_KEY.encode())


def secret_generate() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def secret_encrypt(secret: str) -> bytes:
    return _fernet().encrypt(secret.encode())


def secret_decrypt(encrypted: bytes | memoryview) -> str:
    return _fernet().decrypt(bytes(encrypted)).decode()


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The ``Webhook-Signature`` value of ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"
