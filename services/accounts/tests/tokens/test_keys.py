from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from accounts.tokens.keys import current_key_set, key_files, load_key_set, write_new_key
from accounts.tokens.services import access_token_issue
from accounts.users.models import User


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
    assert current_key_set().signing_key(now=timezone.now()).kid == key_file.stem


@pytest.mark.django_db
def test_a_rotated_key_is_published_at_once_and_signs_only_after_the_grace_period(
    empty_keys_dir: Path, settings: Settings, user: User, client: Client
) -> None:
    settings.JWT_KEY_PUBLISH_GRACE = timedelta(minutes=10)
    old_kid = write_new_key(empty_keys_dir, now=datetime(2024, 1, 1, tzinfo=UTC))
    rotated_at = timezone.now()

    call_command("generate_dev_keys", rotate=True)
    load_key_set.cache_clear()

    [new_kid] = {path.stem for path in key_files(empty_keys_dir)} - {old_kid}
    published = [key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]]
    assert published == [old_kid, new_kid]
    during_grace = access_token_issue(
        user=user, now=rotated_at + timedelta(minutes=9), session_id=uuid.uuid4()
    )
    after_grace = access_token_issue(
        user=user, now=rotated_at + timedelta(minutes=10, seconds=1), session_id=uuid.uuid4()
    )
    assert jwt.get_unverified_header(during_grace)["kid"] == old_kid
    assert jwt.get_unverified_header(after_grace)["kid"] == new_kid


@pytest.mark.django_db
def test_jwt_active_kid_picks_the_signing_key(
    settings: Settings, empty_keys_dir: Path, user: User
) -> None:
    old_kid = write_new_key(empty_keys_dir, now=datetime(2024, 1, 1, tzinfo=UTC))
    write_new_key(empty_keys_dir, now=datetime(2025, 1, 1, tzinfo=UTC))
    settings.JWT_ACTIVE_KID = old_kid

    token = access_token_issue(user=user, now=timezone.now(), session_id=uuid.uuid4())

    assert jwt.get_unverified_header(token)["kid"] == old_kid
    public_key = current_key_set().get_key(old_kid)
    assert public_key is not None
    assert jwt.decode(token, public_key, algorithms=["RS256"], audience=settings.JWT_AUDIENCE)
