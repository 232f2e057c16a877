from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import jwt
import pytest
from django.core.management import call_command
from pytest_django import Settings

from accounts.tokens.keys import current_key_set, key_files, load_key_set, write_new_key


@pytest.fixture
def empty_keys_dir(settings: Settings, tmp_path: Path) -> Path:
    settings.JWT_SIGNING_KEYS_DIR = tmp_path / "keys"
    return tmp_path / "keys"


def test_generate_dev_keys_writes_one_owner_only_key_and_never_overwrites(
    empty_keys_dir: Path,
) -> None:
    call_command("generate_dev_keys")
    [key_file] = key_files(empty_keys_dir)
    content = key_file.read_bytes()

    call_command("generate_dev_keys")

    assert key_files(empty_keys_dir) == [key_file]
    assert key_file.read_bytes() == content
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert current_key_set().active.kid == key_file.stem


def test_rotation_signs_with_the_new_key_and_still_publishes_the_old_one(
    empty_keys_dir: Path,
) -> None:
    old_kid = write_new_key(empty_keys_dir, now=datetime(2024, 1, 1, tzinfo=UTC))

    call_command("generate_dev_keys", rotate=True)
    load_key_set.cache_clear()

    key_set = current_key_set()
    assert key_set.active.kid != old_kid
    assert [key["kid"] for key in key_set.jwks()["keys"]] == [old_kid, key_set.active.kid]


def test_jwt_active_kid_picks_the_signing_key(settings: Settings, empty_keys_dir: Path) -> None:
    old_kid = write_new_key(empty_keys_dir, now=datetime(2024, 1, 1, tzinfo=UTC))
    write_new_key(empty_keys_dir, now=datetime(2025, 1, 1, tzinfo=UTC))
    settings.JWT_ACTIVE_KID = old_kid

    key_set = current_key_set()

    assert key_set.active.kid == old_kid
    token = jwt.encode({"sub": "x"}, key_set.active.private_key, algorithm="RS256")
    public_key = key_set.get_key(old_kid)
    assert public_key is not None
    assert jwt.decode(token, public_key, algorithms=["RS256"]) == {"sub": "x"}
