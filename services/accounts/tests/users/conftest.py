from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django import Settings


@pytest.fixture(autouse=True)
def avatar_dir(settings: Settings, tmp_path: Path) -> Path:
    """Avatars of each test in a folder of its own (the local filesystem storage)."""
    directory = tmp_path / "avatars"
    settings.STORAGES = {
        **settings.STORAGES,
        "avatars": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(directory), "base_url": settings.AVATAR_BASE_URL},
        },
    }
    return directory
