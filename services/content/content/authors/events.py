"""Handlers of the accounts events that keep the author projection."""

from uuid import UUID

from content.authors.services import author_sync
from platform_common.events import Envelope, subscribe


@subscribe("accounts.user.registered")
def project_registered_user(event: Envelope) -> None:
    author_sync(
        author_id=UUID(event.data["user_id"]),
        display_name=event.data["display_name"],
        envelope=event,
    )
