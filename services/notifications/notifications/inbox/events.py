"""Handlers of the events the inbox consumes."""

from uuid import UUID

from notifications.inbox.services import notification_create
from platform_common.events import Envelope, subscribe

WELCOME_KIND = "welcome"


@subscribe("accounts.user.registered")
def welcome_new_user(event: Envelope) -> None:
    """Greet a newly registered user in their inbox (once, even if the event is replayed)."""
    display_name = event.data["display_name"]
    notification_create(
        user_id=UUID(event.data["user_id"]),
        kind=WELCOME_KIND,
        title=f"Welcome, {display_name}!",
        body="Your account is ready. Follow authors and topics to hear about new articles.",
        dedup_key=WELCOME_KIND,
    )
