import pytest

from content.authors.models import Author
from tests.factories import AuthorFactory

pytest_plugins = ["platform_common.testing.fixtures"]


@pytest.fixture
def author(db: None) -> Author:
    return AuthorFactory.create(display_name="Ada Lovelace")


@pytest.fixture
def other_author(db: None) -> Author:
    return AuthorFactory.create(display_name="Grace Hopper")
