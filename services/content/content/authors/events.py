"""Handlers of the accounts events that keep the author projection."""

from datetime import datetime
from uuid import UUID

from content.authors.services import author_anonymise, author_sync
from platform_common.events import Envelope, subscribe


@subscribe("accounts.user.registered")
def project_registered_user(event: Envelope) -> None:
    author_sync(
        author_id=UUID(event.data["user_id"]),
        display_name=event.data["display_name"],
        avatar_url=None,
        envelope=event,
    )


# v2 adds a phone number, which content does not keep; v1 events may still be queued.
@subscribe("accounts.user.updated")
@subscribe("accounts.user.updated", version=2)
def project_updated_user(event: Envelope) -> None:
    author_sync(
        author_id=UUID(event.data["user_id"]),
        display_name=event.data["display_name"],
        avatar_url=event.data["avatar_url"],
        envelope=event,
    )


@subscribe("accounts.user.deleted")
def project_deleted_user(event: Envelope) -> None:
    author_anonymise(
        author_id=UUID(event.data["user_id"]),
        deleted_at=datetime.fromisoformat(event.data["deleted_at"]),
        envelope=event,
    )
