"""The service's RSA signing keys, from files or from the environment, never the database.

Two sources, merged into one key set (a key id may appear in only one of them):

- ``JWT_SIGNING_KEYS_DIR``: one PEM private key per file, named ``<kid>.pem`` (on
  Kubernetes a mounted Secret; its dot-entries and other names are ignored);
- ``JWT_SIGNING_KEYS``: a bundle of PEM private keys in one variable (a Secret exposed as
  an environment variable), each block preceded by a ``Kid:`` line.

Key ids are UTC timestamps, so the newest key sorts last. Header lines before a PEM block
(which PEM parsers skip, so a key file stays a valid PEM file) carry a key's life:

- ``Signs-From:``: written by rotation; the key is published at once but signs only from
  then on (``JWT_KEY_PUBLISH_GRACE`` after the rotation), so during a rolling restart every
  verifier learns the new key before any token carries its ``kid``;
- ``Verify-Until:``: written on the keys a rotation supersedes; they stay in the JWKS and
  keep verifying the tokens they signed until then, and are retired (unpublished, refused,
  deleted by the next rotation) afterwards.

The newest key whose time has come signs, unless ``JWT_ACTIVE_KID`` names another.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from platform_common.auth.signing import public_jwk

KEY_FILE_SUFFIX = ".pem"
RSA_KEY_BITS = 2048
KID_HEADER = "Kid"
SIGNS_FROM_HEADER = "Signs-From"
VERIFY_UNTIL_HEADER = "Verify-Until"
PEM_END = re.compile(rb"-----END [A-Z ]*PRIVATE KEY-----\s*")


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    # None: a key that may sign at once (the first key, or one written by hand).
    signs_from: datetime | None = None
    # None: verifiable for good (not superseded by a rotation yet).
    verify_until: datetime | None = None

    def is_retired(self, *, now: datetime) -> bool:
        return self.verify_until is not None and self.verify_until <= now

    def public_jwk(self) -> dict[str, Any]:
        return public_jwk(self.private_key, kid=self.kid)

    def to_pem(self, *, with_kid: bool = False) -> bytes:
        """The key as stored: its header lines, then the unencrypted PKCS#8 PEM block."""
        headers = [
            (KID_HEADER, self.kid if with_kid else None),
            (SIGNS_FROM_HEADER, self.signs_from.isoformat() if self.signs_from else None),
            (VERIFY_UNTIL_HEADER, self.verify_until.isoformat() if self.verify_until else None),
        ]
        lines = b"".join(f"{name}: {value}\n".encode() for name, value in headers if value)
        return lines + self.private_key.private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=serialization.NoEncryption(),
        )


@dataclass(frozen=True)
class KeySet:
    keys: tuple[SigningKey, ...]
    pinned: SigningKey | None = None

    def signing_key(self, *, now: datetime) -> SigningKey:
        """``JWT_ACTIVE_KID``'s key, else the newest live key allowed to sign at ``now``
        (the oldest live one if none is yet: something must sign)."""
        if self.pinned is not None:
            return self.pinned
        live = self.live(now=now)
        if not live:
            raise ImproperlyConfigured("every signing key is retired; rotate in a new one")
        ready = [key for key in live if key.signs_from is None or key.signs_from <= now]
        return ready[-1] if ready else live[0]

    def live(self, *, now: datetime) -> list[SigningKey]:
        return [key for key in self.keys if not key.is_retired(now=now)]

    def get_key(self, kid: str, *, now: datetime) -> rsa.RSAPublicKey | None:
        """The public key of ``kid``; None when unknown or retired."""
        for key in self.live(now=now):
            if key.kid == kid:
                return key.private_key.public_key()
        return None

    def jwks(self, *, now: datetime) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [key.public_jwk() for key in self.live(now=now)]}


def key_files(directory: Path | None) -> list[Path]:
    """Key files sorted oldest first (ignores the dot-entries of a mounted Secret)."""
    if directory is None or not directory.is_dir():
        return []
    return sorted(
        path
        for path in directory.iterdir()
        if path.suffix == KEY_FILE_SUFFIX and not path.name.startswith(".")
    )


def _parse_key(content: bytes, *, source: str, kid: str | None = None) -> SigningKey:
    headers = _headers(content)
    kid = kid or headers.get(KID_HEADER)
    if not kid:
        raise ImproperlyConfigured(f"a signing key in {source} has no {KID_HEADER}: line")
    try:
        private_key = serialization.load_pem_private_key(content, password=None)
    except ValueError as error:
        raise ImproperlyConfigured(f"signing key {kid} in {source} is not a PEM key") from error
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured(f"signing key {kid} in {source} is not an RSA private key")
    return SigningKey(
        kid=kid,
        private_key=private_key,
        signs_from=_moment(headers.get(SIGNS_FROM_HEADER)),
        verify_until=_moment(headers.get(VERIFY_UNTIL_HEADER)),
    )


def _headers(content: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in content.decode().splitlines():
        if line.startswith("-----BEGIN"):
            break
        name, separator, value = line.partition(":")
        if separator:
            headers[name.strip()] = value.strip()
    return headers


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def parse_bundle(bundle: str, *, source: str = "JWT_SIGNING_KEYS") -> list[SigningKey]:
    """The keys of a bundle: PEM blocks, each preceded by its header lines."""
    data = bundle.encode()
    blocks: list[bytes] = []
    start = 0
    for end in PEM_END.finditer(data):
        blocks.append(data[start : end.end()])
        start = end.end()
    if data[start:].strip():
        raise ImproperlyConfigured(f"{source} has text after its last PEM block")
    return [_parse_key(block, source=source) for block in blocks]


def format_bundle(keys: Iterable[SigningKey]) -> str:
    """``JWT_SIGNING_KEYS``'s value for ``keys`` (what ``parse_bundle`` reads back)."""
    return b"".join(key.to_pem(with_kid=True) for key in keys).decode()


def read_keys(directory: Path | None, bundle: str) -> tuple[SigningKey, ...]:
    """Every key of both sources, oldest first."""
    keys = [
        _parse_key(path.read_bytes(), source=path.name, kid=path.stem)
        for path in key_files(directory)
    ]
    keys += parse_bundle(bundle)
    kids = [key.kid for key in keys]
    if len(set(kids)) != len(kids):
        raise ImproperlyConfigured("a signing key id appears twice across the key sources")
    return tuple(sorted(keys, key=lambda key: key.kid))


@functools.cache
def load_key_set(directory: Path | None, bundle: str, active_kid: str) -> KeySet:
    """Read every key once per process (and per source, which tests change)."""
    keys = read_keys(directory, bundle)
    if not keys:
        raise ImproperlyConfigured(
            "no signing keys in JWT_SIGNING_KEYS_DIR or JWT_SIGNING_KEYS;"
            " run `manage.py generate_dev_keys`"
        )
    by_kid = {key.kid: key for key in keys}
    if active_kid and active_kid not in by_kid:
        raise ImproperlyConfigured(f"JWT_ACTIVE_KID {active_kid!r} is not in the key set")
    return KeySet(keys=keys, pinned=by_kid[active_kid] if active_kid else None)


def keys_directory() -> Path | None:
    directory = settings.JWT_SIGNING_KEYS_DIR
    return Path(directory) if directory else None


def current_key_set() -> KeySet:
    return load_key_set(keys_directory(), settings.JWT_SIGNING_KEYS, settings.JWT_ACTIVE_KID)


class LocalKeyProvider:
    """The shared verifier's key provider (setting ``JWT_KEY_PROVIDER``): accounts checks
    its own tokens against its own key set, without an HTTP call to itself."""

    def get_key(self, kid: str) -> rsa.RSAPublicKey | None:
        return current_key_set().get_key(kid, now=timezone.now())


def new_key(*, now: datetime, signs_from: datetime | None = None) -> SigningKey:
    return SigningKey(
        kid=f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}",
        private_key=rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS),
        signs_from=signs_from,
    )


def write_key(directory: Path, key: SigningKey, *, replace_existing: bool = False) -> None:
    """Store ``key`` as ``<kid>.pem``, readable by its owner only.

    A new key never overwrites a file (O_EXCL, even under a race); an update replaces the
    file atomically (rename), so a reader sees the old or the new content, never half."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"{key.kid}{KEY_FILE_SUFFIX}"
    target = path.with_name(f".{path.name}.tmp") if replace_existing else path
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as key_file:
        key_file.write(key.to_pem())
    if replace_existing:
        target.replace(path)


def write_new_key(directory: Path, *, now: datetime, signs_from: datetime | None = None) -> str:
    """Create a new key file; return its kid. With ``signs_from`` the key is published at
    once but signs only from that time on."""
    key = new_key(now=now, signs_from=signs_from)
    write_key(directory, key)
    return key.kid


@dataclass(frozen=True)
class Rotation:
    added: SigningKey
    # The keys of the set after the rotation, the added one included, oldest first.
    keys: tuple[SigningKey, ...]
    superseded: tuple[SigningKey, ...]
    retired: tuple[SigningKey, ...]


def key_rotation_plan(
    keys: Iterable[SigningKey],
    *,
    now: datetime,
    publish_ahead: timedelta,
    verify_grace: timedelta,
) -> Rotation:
    """What a rotation at ``now`` does to ``keys`` (no I/O).

    The new key signs from ``now + publish_ahead``. Every key not yet superseded stays
    verifiable ``verify_grace`` past that moment (the last token it signs lives at most an
    access token lifetime); keys whose grace is over are retired."""
    signs_from = now + publish_ahead
    added = new_key(now=now, signs_from=signs_from)
    kept: list[SigningKey] = []
    superseded: list[SigningKey] = []
    retired: list[SigningKey] = []
    for key in keys:
        if key.is_retired(now=now):
            retired.append(key)
        elif key.verify_until is None:
            updated = replace(key, verify_until=signs_from + verify_grace)
            superseded.append(updated)
            kept.append(updated)
        else:
            kept.append(key)
    return Rotation(
        added=added,
        keys=(*kept, added),
        superseded=tuple(superseded),
        retired=tuple(retired),
    )
