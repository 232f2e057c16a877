from pathlib import Path
from uuid import uuid4

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from pytest_django.fixtures import Settings

from content.authors.models import Author
from tests.factories import AuthorFactory

pytest_plugins = ["platform_common.testing.fixtures"]


@pytest.fixture
def author(db: None) -> Author:
    return AuthorFactory.create(display_name="Ada Lovelace")


@pytest.fixture
def other_author(db: None) -> Author:
    return AuthorFactory.create(display_name="Grace Hopper")


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Cached reads and counters of an earlier test (or run) must not answer this one."""
    cache.clear()


@pytest.fixture
def staff_client(client: Client) -> Client:
    """A superuser whose username is their accounts user id."""
    client.force_login(User.objects.create_superuser(username=str(uuid4()), password=None))
    return client


@pytest.fixture(autouse=True)
def cover_dir(settings: Settings, tmp_path: Path) -> Path:
    """Cover images of each test in a folder of its own (the local filesystem storage)."""
    directory = tmp_path / "covers"
    settings.STORAGES = {
        **settings.STORAGES,
        "covers": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(directory), "base_url": settings.COVER_BASE_URL},
        },
    }
    return directory
