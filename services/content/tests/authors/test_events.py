from uuid import UUID, uuid4

import pytest

from content.authors.models import Author
from platform_common.events import Envelope
from platform_common.events.models import InboxEntry
from platform_common.testing.events import deliver, make_envelope

pytestmark = pytest.mark.django_db


def user_registered(*, user_id: UUID, display_name: str, version: int = 1) -> Envelope:
    return make_envelope(
        type="accounts.user.registered",
        data={"user_id": str(user_id), "email": "ada@example.com", "display_name": display_name},
        aggregate_id=user_id,
        aggregate_version=version,
    )


def test_registered_user_becomes_an_author() -> None:
    user_id = uuid4()

    deliver(user_registered(user_id=user_id, display_name="Ada Lovelace", version=3))

    author = Author.objects.get(id=user_id)
    assert author.display_name == "Ada Lovelace"
    assert author.aggregate_version == 3


def test_redelivered_event_changes_nothing() -> None:
    user_id = uuid4()
    event = user_registered(user_id=user_id, display_name="Ada Lovelace")
    deliver(event)
    first = Author.objects.get(id=user_id)

    deliver(event)

    again = Author.objects.get(id=user_id)
    assert again.updated_at == first.updated_at
    assert Author.objects.filter(id=user_id).count() == 1
    assert InboxEntry.objects.filter(event_id=event.id).count() == 1


def test_event_older_than_the_projection_is_ignored() -> None:
    user_id = uuid4()
    deliver(user_registered(user_id=user_id, display_name="Ada Lovelace", version=2))

    deliver(user_registered(user_id=user_id, display_name="Ada Byron", version=1))

    author = Author.objects.get(id=user_id)
    assert author.display_name == "Ada Lovelace"
    assert author.aggregate_version == 2


def test_newer_event_refreshes_the_projection() -> None:
    user_id = uuid4()
    deliver(user_registered(user_id=user_id, display_name="Ada Byron", version=1))

    deliver(user_registered(user_id=user_id, display_name="Ada Lovelace", version=2))

    author = Author.objects.get(id=user_id)
    assert author.display_name == "Ada Lovelace"
    assert author.aggregate_version == 2
