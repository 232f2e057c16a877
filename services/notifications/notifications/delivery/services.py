"""Business actions of delivery; each owns its transaction."""

from typing import Any
from uuid import UUID

from django.db import transaction

from notifications.delivery.models import DEFAULT_LOCALE, DEFAULT_TIME_ZONE, Contact
from notifications.inbox.services import notification_delete_all
from notifications.preferences.services import preferences_delete_all
from notifications.subscriptions.services import subscription_delete_all
from platform_common.events import Envelope
from platform_common.events.projections import apply_to_projection


@transaction.atomic
def contact_apply(*, envelope: Envelope, values: dict[str, Any]) -> Contact | None:
    """Record the contact details ``values`` of ``envelope``'s user unless the event is
    older than what is held (then None). A deleted user's contact stays deleted."""
    user_id = UUID(envelope.data["user_id"])
    held = Contact.objects.filter(user_id=user_id, deleted=True).first()
    if held is not None:
        return None
    return apply_to_projection(
        model=Contact, lookup={"user_id": user_id}, envelope=envelope, values=values
    )


def contact_values(data: dict[str, Any]) -> dict[str, Any]:
    """The contact fields an accounts user event carries (registered lacks locale, zone)."""
    return {
        "email": data["email"],
        "display_name": data["display_name"],
        "locale": data.get("locale") or DEFAULT_LOCALE,
        "time_zone": data.get("time_zone") or DEFAULT_TIME_ZONE,
    }


@transaction.atomic
def user_personal_data_delete(*, envelope: Envelope) -> None:
    """Forget a deleted user: contact details, notifications, and everything kept for them.

    The contact row stays, emptied and marked deleted, at the deletion's version.
    """
    user_id = UUID(envelope.data["user_id"])
    Contact.objects.update_or_create(
        user_id=user_id,
        defaults={
            "email": "",
            "display_name": "",
            "locale": DEFAULT_LOCALE,
            "time_zone": DEFAULT_TIME_ZONE,
            "deleted": True,
            "aggregate_version": envelope.aggregate_version,
        },
    )
    notification_delete_all(user_id=user_id)
    subscription_delete_all(user_id=user_id)
    preferences_delete_all(user_id=user_id)
