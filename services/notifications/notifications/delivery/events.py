"""Handlers of the events delivery consumes: accounts' users make the contact projection."""

from notifications.delivery.services import contact_apply, contact_values, user_personal_data_delete
from platform_common.events import Envelope, subscribe


@subscribe("accounts.user.registered")
def contact_from_registration(event: Envelope) -> None:
    contact_apply(envelope=event, values=contact_values(event.data))


@subscribe("accounts.user.updated")
def contact_from_update(event: Envelope) -> None:
    contact_apply(envelope=event, values=contact_values(event.data))


@subscribe("accounts.user.deleted")
def forget_deleted_user(event: Envelope) -> None:
    user_personal_data_delete(envelope=event)
