from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from accounts.tokens.keys import (
    current_key_set,
    format_bundle,
    key_files,
    load_key_set,
    new_key,
    parse_bundle,
    write_new_key,
)
from accounts.tokens.services import access_token_issue
from accounts.users.models import User


@pytest.fixture
def empty_keys_dir(settings: Settings, tmp_path: Path) -> Path:
    settings.JWT_SIGNING_KEYS_DIR = tmp_path / "keys"
    return tmp_path / "keys"


def published_kids(client: Client) -> list[str]:
    load_key_set.cache_clear()
    return [key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]]


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
def test_a_rotated_key_is_published_at_once_and_signs_only_after_the_publish_ahead_delay(
    empty_keys_dir: Path, settings: Settings, user: User, client: Client
) -> None:
    settings.JWT_KEY_PUBLISH_GRACE = timedelta(minutes=10)
    old_kid = write_new_key(empty_keys_dir, now=datetime(2024, 1, 1, tzinfo=UTC))
    rotated_at = timezone.now()

    call_command("rotate_signing_key", stderr=io.StringIO())

    [new_kid] = {path.stem for path in key_files(empty_keys_dir)} - {old_kid}
    assert published_kids(client) == [old_kid, new_kid]
    during_delay = access_token_issue(
        user=user, now=rotated_at + timedelta(minutes=9), session_id=uuid.uuid4()
    )
    after_delay = access_token_issue(
        user=user, now=rotated_at + timedelta(minutes=10, seconds=1), session_id=uuid.uuid4()
    )
    assert jwt.get_unverified_header(during_delay)["kid"] == old_kid
    assert jwt.get_unverified_header(after_delay)["kid"] == new_kid
    assert (empty_keys_dir / f"{new_kid}.pem").stat().st_mode & 0o777 == 0o600


@pytest.mark.django_db
def test_a_superseded_key_verifies_during_its_grace_and_is_retired_after_it(
    empty_keys_dir: Path, settings: Settings, client: Client
) -> None:
    old_kid = write_new_key(empty_keys_dir, now=datetime(2024, 1, 1, tzinfo=UTC))
    call_command(
        "rotate_signing_key",
        publish_ahead_seconds=60,
        verify_grace_seconds=3600,
        stderr=io.StringIO(),
    )
    rotated_at = timezone.now()
    load_key_set.cache_clear()
    key_set = current_key_set()

    within_grace = rotated_at + timedelta(minutes=59)
    after_grace = rotated_at + timedelta(minutes=62)
    assert key_set.get_key(old_kid, now=within_grace) is not None
    assert key_set.get_key(old_kid, now=after_grace) is None
    assert old_kid not in [jwk["kid"] for jwk in key_set.jwks(now=after_grace)["keys"]]
    assert key_set.signing_key(now=after_grace).kid != old_kid


@pytest.mark.django_db
def test_the_next_rotation_deletes_retired_keys_and_keeps_those_in_their_grace(
    empty_keys_dir: Path, client: Client
) -> None:
    first = write_new_key(empty_keys_dir, now=datetime(2024, 1, 1, tzinfo=UTC))
    call_command(
        "rotate_signing_key",
        publish_ahead_seconds=0,
        verify_grace_seconds=0,
        stderr=io.StringIO(),
    )
    [second] = {path.stem for path in key_files(empty_keys_dir)} - {first}

    call_command("rotate_signing_key", publish_ahead_seconds=0, stderr=io.StringIO())

    kids = [path.stem for path in key_files(empty_keys_dir)]
    assert first not in kids
    assert second in kids
    assert len(kids) == 2
    assert first not in published_kids(client)


def test_keys_come_from_the_environment_bundle(settings: Settings, client: Client) -> None:
    settings.JWT_SIGNING_KEYS_DIR = None
    keys = [
        new_key(now=datetime(2024, 1, 1, tzinfo=UTC)),
        new_key(now=datetime(2025, 1, 1, tzinfo=UTC)),
    ]
    settings.JWT_SIGNING_KEYS = format_bundle(keys)

    assert published_kids(client) == [key.kid for key in keys]
    assert current_key_set().signing_key(now=timezone.now()).kid == keys[1].kid


def test_rotating_a_bundle_prints_the_new_bundle_and_writes_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    settings.JWT_SIGNING_KEYS_DIR = None
    old = new_key(now=datetime(2024, 1, 1, tzinfo=UTC))
    settings.JWT_SIGNING_KEYS = format_bundle([old])
    out = io.StringIO()

    call_command("rotate_signing_key", bundle=True, stdout=out, stderr=io.StringIO())

    rotated = parse_bundle(out.getvalue())
    assert rotated[0].kid == old.kid
    assert rotated[0].verify_until is not None
    assert rotated[1].signs_from is not None
    assert rotated[0].verify_until > rotated[1].signs_from
    assert list(tmp_path.iterdir()) == []


def test_rotating_keys_from_the_environment_needs_the_bundle_option(settings: Settings) -> None:
    settings.JWT_SIGNING_KEYS_DIR = None
    settings.JWT_SIGNING_KEYS = format_bundle([new_key(now=datetime(2024, 1, 1, tzinfo=UTC))])

    with pytest.raises(CommandError, match="--bundle"):
        call_command("rotate_signing_key", stderr=io.StringIO())


def test_a_key_id_in_both_sources_is_refused(empty_keys_dir: Path, settings: Settings) -> None:
    kid = write_new_key(empty_keys_dir, now=datetime(2024, 1, 1, tzinfo=UTC))
    [stored] = load_key_set(empty_keys_dir, "", "").keys
    settings.JWT_SIGNING_KEYS = format_bundle([stored])

    with pytest.raises(ImproperlyConfigured, match="twice"):
        load_key_set(empty_keys_dir, settings.JWT_SIGNING_KEYS, "")
    assert stored.kid == kid


def test_a_bundle_key_without_a_kid_is_refused() -> None:
    pem = new_key(now=datetime(2024, 1, 1, tzinfo=UTC)).to_pem().decode()

    with pytest.raises(ImproperlyConfigured, match="Kid"):
        parse_bundle(pem)


@pytest.mark.django_db
def test_jwt_active_kid_picks_the_signing_key(
    settings: Settings, empty_keys_dir: Path, user: User
) -> None:
    old_kid = write_new_key(empty_keys_dir, now=datetime(2024, 1, 1, tzinfo=UTC))
    write_new_key(empty_keys_dir, now=datetime(2025, 1, 1, tzinfo=UTC))
    settings.JWT_ACTIVE_KID = old_kid

    token = access_token_issue(user=user, now=timezone.now(), session_id=uuid.uuid4())

    assert jwt.get_unverified_header(token)["kid"] == old_kid
    public_key = current_key_set().get_key(old_kid, now=timezone.now())
    assert public_key is not None
    assert jwt.decode(token, public_key, algorithms=["RS256"], audience=settings.JWT_AUDIENCE)
