from uuid import uuid4

import pytest

from content.authors.models import Author

pytest_plugins = ["platform_common.testing.fixtures"]


@pytest.fixture
def author(db: None) -> Author:
    return Author.objects.create(id=uuid4(), display_name="Ada Lovelace", aggregate_version=1)


@pytest.fixture
def other_author(db: None) -> Author:
    return Author.objects.create(id=uuid4(), display_name="Grace Hopper", aggregate_version=1)
