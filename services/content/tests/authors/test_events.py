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


@pytest.mark.parametrize(
    ("first", "then", "kept"),
    [
        (("Ada Lovelace", 2), ("Ada Byron", 1), ("Ada Lovelace", 2)),
        (("Ada Byron", 1), ("Ada Lovelace", 2), ("Ada Lovelace", 2)),
    ],
    ids=["an-older-event-is-ignored", "a-newer-event-refreshes"],
)
def test_the_projection_keeps_the_newest_version(
    first: tuple[str, int], then: tuple[str, int], kept: tuple[str, int]
) -> None:
    user_id = uuid4()
    deliver(user_registered(user_id=user_id, display_name=first[0], version=first[1]))

    deliver(user_registered(user_id=user_id, display_name=then[0], version=then[1]))

    author = Author.objects.get(id=user_id)
    assert (author.display_name, author.aggregate_version) == kept


def user_updated(
    *, user_id: UUID, display_name: str, avatar_url: str | None, version: int
) -> Envelope:
    return make_envelope(
        type="accounts.user.updated",
        data={
            "user_id": str(user_id),
            "email": "ada@example.com",
            "display_name": display_name,
            "avatar_url": avatar_url,
            "locale": "en",
            "time_zone": "Europe/London",
        },
        aggregate_id=user_id,
        aggregate_version=version,
    )


def user_deleted(*, user_id: UUID, version: int) -> Envelope:
    return make_envelope(
        type="accounts.user.deleted",
        data={"user_id": str(user_id), "deleted_at": "2026-11-30T10:00:00+00:00"},
        aggregate_id=user_id,
        aggregate_version=version,
    )


AVATAR = "https://platform.example.com/api/v1/accounts/avatars/0123456789abcdef0123456789abcdef.png"


def test_an_updated_profile_refreshes_the_name_and_avatar() -> None:
    user_id = uuid4()
    deliver(user_registered(user_id=user_id, display_name="Ada Byron", version=1))

    deliver(
        user_updated(user_id=user_id, display_name="Ada Lovelace", avatar_url=AVATAR, version=2)
    )

    author = Author.objects.get(id=user_id)
    assert (author.display_name, author.avatar_url, author.aggregate_version) == (
        "Ada Lovelace",
        AVATAR,
        2,
    )


def test_an_update_older_than_the_projection_is_ignored() -> None:
    user_id = uuid4()
    deliver(
        user_updated(user_id=user_id, display_name="Ada Lovelace", avatar_url=AVATAR, version=3)
    )

    deliver(user_updated(user_id=user_id, display_name="Ada Byron", avatar_url=None, version=2))

    author = Author.objects.get(id=user_id)
    assert (author.display_name, author.avatar_url) == ("Ada Lovelace", AVATAR)


def test_a_deleted_account_leaves_an_anonymous_author() -> None:
    user_id = uuid4()
    deliver(
        user_updated(user_id=user_id, display_name="Ada Lovelace", avatar_url=AVATAR, version=2)
    )

    deliver(user_deleted(user_id=user_id, version=3))

    author = Author.objects.get(id=user_id)
    assert (author.display_name, author.avatar_url) == ("Deleted user", "")
    assert author.deleted_at is not None
    assert author.aggregate_version == 3


def test_an_update_arriving_after_the_deletion_does_not_bring_the_person_back() -> None:
    user_id = uuid4()
    deliver(user_deleted(user_id=user_id, version=3))

    deliver(
        user_updated(user_id=user_id, display_name="Ada Lovelace", avatar_url=AVATAR, version=2)
    )

    assert Author.objects.get(id=user_id).display_name == "Deleted user"


def test_an_updated_profile_of_version_2_refreshes_the_name_and_keeps_no_phone_number() -> None:
    user_id = uuid4()
    deliver(user_registered(user_id=user_id, display_name="Ada Byron", version=1))
    v1 = user_updated(user_id=user_id, display_name="Ada Lovelace", avatar_url=AVATAR, version=2)

    deliver(
        make_envelope(
            type=v1.type,
            data={**v1.data, "phone_number": "+4915112345678"},
            aggregate_id=user_id,
            aggregate_version=2,
            version=2,
        )
    )

    author = Author.objects.get(id=user_id)
    assert (author.display_name, author.avatar_url) == ("Ada Lovelace", AVATAR)
    assert "+4915112345678" not in str(Author.objects.filter(id=user_id).values().get())
