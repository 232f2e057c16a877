"""The service's RSA signing keys.

One PEM private key per file in ``JWT_SIGNING_KEYS_DIR``, named ``<kid>.pem``. Key ids
are UTC timestamps, so the newest key sorts last. Every key in the directory is published
in the JWKS at once, so tokens signed by an older key keep verifying until they expire.

A key added by rotation carries a ``Signs-From:`` line before its PEM block: it is
published immediately but signs only from that time on (``JWT_KEY_PUBLISH_GRACE`` after
the rotation), so during a rolling restart every verifier can learn the new key before
any token carries its ``kid``. The newest key whose time has come signs, unless
``JWT_ACTIVE_KID`` names another. On Kubernetes the directory is a mounted Secret; the
code path is the same.
"""

from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from platform_common.auth.signing import public_jwk

KEY_FILE_SUFFIX = ".pem"
RSA_KEY_BITS = 2048
SIGNS_FROM_PREFIX = b"Signs-From: "


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    # None: a key that may sign at once (the first key, or one written by hand).
    signs_from: datetime | None = None

    def public_jwk(self) -> dict[str, Any]:
        return public_jwk(self.private_key, kid=self.kid)


@dataclass(frozen=True)
class KeySet:
    keys: tuple[SigningKey, ...]
    pinned: SigningKey | None = None

    def signing_key(self, *, now: datetime) -> SigningKey:
        """``JWT_ACTIVE_KID``'s key, else the newest key allowed to sign at ``now`` (the
        oldest if none is yet: something must sign)."""
        if self.pinned is not None:
            return self.pinned
        ready = [key for key in self.keys if key.signs_from is None or key.signs_from <= now]
        return ready[-1] if ready else self.keys[0]

    def get_key(self, kid: str) -> rsa.RSAPublicKey | None:
        for key in self.keys:
            if key.kid == kid:
                return key.private_key.public_key()
        return None

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [key.public_jwk() for key in self.keys]}


def key_files(directory: Path) -> list[Path]:
    """Key files sorted oldest first (ignores the dot-entries of a mounted Secret)."""
    if not directory.is_dir():
        return []
    return sorted(
        path
        for path in directory.iterdir()
        if path.suffix == KEY_FILE_SUFFIX and not path.name.startswith(".")
    )


def _read_key(path: Path) -> SigningKey:
    content = path.read_bytes()
    # PEM parsers skip text before the BEGIN line, so the key file stays a valid PEM file.
    private_key = serialization.load_pem_private_key(content, password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured(f"signing key {path.name} is not an RSA private key")
    return SigningKey(kid=path.stem, private_key=private_key, signs_from=_signs_from(content))


def _signs_from(content: bytes) -> datetime | None:
    for line in content.splitlines():
        if line.startswith(SIGNS_FROM_PREFIX):
            return datetime.fromisoformat(line.removeprefix(SIGNS_FROM_PREFIX).decode().strip())
        if line.startswith(b"-----BEGIN"):
            break
    return None


@functools.cache
def load_key_set(directory: Path, active_kid: str) -> KeySet:
    """Read every key once per process (and per directory, which tests change)."""
    keys = tuple(_read_key(path) for path in key_files(directory))
    if not keys:
        raise ImproperlyConfigured(
            "no signing keys in JWT_SIGNING_KEYS_DIR; run `manage.py generate_dev_keys`"
        )
    by_kid = {key.kid: key for key in keys}
    if active_kid and active_kid not in by_kid:
        raise ImproperlyConfigured(f"JWT_ACTIVE_KID {active_kid!r} is not in the key set")
    return KeySet(keys=keys, pinned=by_kid[active_kid] if active_kid else None)


def current_key_set() -> KeySet:
    return load_key_set(Path(settings.JWT_SIGNING_KEYS_DIR), settings.JWT_ACTIVE_KID)


class LocalKeyProvider:
    """The shared verifier's key provider (setting ``JWT_KEY_PROVIDER``): accounts checks
    its own tokens against its own key set, without an HTTP call to itself."""

    def get_key(self, kid: str) -> rsa.RSAPublicKey | None:
        return current_key_set().get_key(kid)


def write_new_key(directory: Path, *, now: datetime, signs_from: datetime | None = None) -> str:
    """Create a new private key file readable by its owner only; return its kid.

    With ``signs_from`` the key is published at once but signs only from that time on."""
    kid = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    pem = private_key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    if signs_from is not None:
        pem = SIGNS_FROM_PREFIX + signs_from.isoformat().encode() + b"\n" + pem
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    # O_EXCL: never overwrite an existing key, even under a race.
    fd = os.open(directory / f"{kid}{KEY_FILE_SUFFIX}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as key_file:
        key_file.write(pem)
    return kid
