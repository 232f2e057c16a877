"""Handlers of the events the inbox consumes."""

from uuid import UUID

from notifications.inbox.mail import account_link_mail
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


@subscribe("accounts.user.verification_requested")
def mail_verification_link(event: Envelope) -> None:
    account_link_mail(
        email=event.data["email"],
        display_name=event.data["display_name"],
        subject="Confirm your email address",
        purpose="To confirm this is your email address",
        link=event.data["verification_url"],
        expires_at=event.data["expires_at"],
    )


@subscribe("accounts.user.password_reset_requested")
def mail_password_reset_link(event: Envelope) -> None:
    account_link_mail(
        email=event.data["email"],
        display_name=event.data["display_name"],
        subject="Reset your password",
        purpose="To choose a new password",
        link=event.data["reset_url"],
        expires_at=event.data["expires_at"],
    )
