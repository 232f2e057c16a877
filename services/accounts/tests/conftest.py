from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.cache import cache
from pytest_django import Settings

from accounts.tokens.keys import write_new_key
from accounts.users.models import User
from tests.factories import UserFactory

pytest_plugins = ["platform_common.testing.fixtures"]


@pytest.fixture(scope="session")
def signing_keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("signing-keys")
    write_new_key(directory, now=datetime.now(UTC))
    return directory


@pytest.fixture(autouse=True)
def _accounts_test_settings(settings: Settings, signing_keys_dir: Path) -> None:
    # Real hashers are slow on purpose; tests only need one that works.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.JWT_SIGNING_KEYS_DIR = signing_keys_dir
    settings.JWT_SIGNING_KEYS = ""
    settings.JWT_ACTIVE_KID = ""


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    # Failed-login counters live in the shared cache; clear() only removes this service's keys.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(db: None) -> User:
    user: User = UserFactory.create(email="Carol@example.com", display_name="Carol")
    return user
