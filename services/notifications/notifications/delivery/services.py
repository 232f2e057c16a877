"""Business actions of delivery; each owns its transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from notifications.delivery.channels import (
    ChannelUnavailable,
    OutgoingMessage,
    PermanentDeliveryError,
    TransientDeliveryError,
    channel_sender,
)
from notifications.delivery.devices import push_destinations
from notifications.delivery.models import (
    DEFAULT_LOCALE,
    DEFAULT_TIME_ZONE,
    Contact,
    Delivery,
    DeliveryStatus,
    DigestItem,
    PushDevice,
)
from notifications.delivery.rendering import message_render
from notifications.inbox.services import notification_delete_all
from notifications.preferences.models import ChannelPreference
from notifications.preferences.selectors import preferences_get
from notifications.preferences.services import preferences_delete_all
from notifications.preferences.types import (
    DEFAULT_CHANNELS,
    TRANSACTIONAL,
    TRANSACTIONAL_CHANNELS,
    Channel,
    DigestMode,
    NotificationType,
)
from notifications.subscriptions.services import subscription_delete_all
from platform_common.events import Envelope
from platform_common.events.projections import apply_to_projection

logger = logging.getLogger(__name__)

# Longer than the longest retry backoff (15 min): a delivery waiting for its retry is not stale.
STALE_AFTER = timedelta(minutes=30)


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
    """The contact fields an accounts user event carries (registered lacks locale, zone
    and phone number; updated v1 the phone number: none was kept then)."""
    return {
        "email": data["email"],
        "display_name": data["display_name"],
        "locale": data.get("locale") or DEFAULT_LOCALE,
        "time_zone": data.get("time_zone") or DEFAULT_TIME_ZONE,
        "phone_number": data.get("phone_number") or "",
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
            "phone_number": "",
            "deleted": True,
            "aggregate_version": envelope.aggregate_version,
        },
    )
    notification_delete_all(user_id=user_id)
    subscription_delete_all(user_id=user_id)
    preferences_delete_all(user_id=user_id)
    Delivery.objects.filter(recipient_id=user_id).delete()
    PushDevice.objects.filter(user_id=user_id).delete()


def web_link(path: str) -> str:
    """The absolute address of a web app path, for messages read outside the app."""
    if not path or "://" in path:
        return path
    return f"{settings.NOTIFICATION_LINK_BASE_URL.rstrip('/')}{path}"


def deliveries_create(
    *,
    event_id: UUID,
    notification_type: NotificationType,
    recipient_ids: Sequence[UUID],
    context: dict[str, Any],
    link: str = "",
    address: str = "",
) -> list[UUID]:
    """Record the deliveries of one event to ``recipient_ids`` (one batch, one transaction)
    and queue the pending ones once committed; returns their ids.

    A transactional type goes by its fixed channels (``TRANSACTIONAL_CHANNELS``); other
    types by every channel on by default or chosen by the recipient, a channel the
    recipient turned off recorded as ``suppressed``. A delivery that exists already (a
    replayed event) is kept as it is.
    """
    with transaction.atomic():
        rows = [
            Delivery(
                event_id=event_id,
                recipient_id=recipient_id,
                channel=channel,
                notification_type=notification_type,
                address=address,
                context=context,
                link=link,
                status=DeliveryStatus.PENDING if enabled else DeliveryStatus.SUPPRESSED,
                reason="" if enabled else "preference_disabled",
            )
            for recipient_id, choices in _candidate_channels(
                notification_type=notification_type, recipient_ids=recipient_ids
            ).items()
            for channel, enabled in choices.items()
        ]
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        pending = list(
            Delivery.objects.filter(
                event_id=event_id, recipient_id__in=recipient_ids, status=DeliveryStatus.PENDING
            ).values_list("id", flat=True)
        )
        transaction.on_commit(partial(_enqueue, pending))
    return pending


def _candidate_channels(
    *, notification_type: NotificationType, recipient_ids: Sequence[UUID]
) -> dict[UUID, dict[Channel, bool]]:
    if notification_type in TRANSACTIONAL:
        fixed = TRANSACTIONAL_CHANNELS[notification_type]
        return {recipient_id: dict.fromkeys(fixed, True) for recipient_id in recipient_ids}
    choices = {
        recipient_id: {channel: True for channel in DEFAULT_CHANNELS}
        for recipient_id in recipient_ids
    }
    for user_id, channel, enabled in ChannelPreference.objects.filter(
        user_id__in=recipient_ids, notification_type=notification_type
    ).values_list("user_id", "channel", "enabled"):
        choices[user_id][Channel(channel)] = enabled
    return choices


def _enqueue(delivery_ids: list[UUID]) -> None:
    # Imported here: the Celery app is built on first use, in the processes that send.
    from notifications.delivery.tasks import delivery_enqueue

    delivery_enqueue(delivery_ids)


@dataclass(frozen=True)
class Address:
    """A delivery's destination: an email address or phone number (``text``), and what a
    provider needs per device (``destinations``: SMS one phone number, push each device)."""

    text: str = ""
    destinations: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class Attempt:
    """What became of one attempt: done (any final or digest state), to retry, or to run
    again at ``defer_until`` (quiet hours)."""

    retry: bool = False
    defer_until: datetime | None = None


DONE = Attempt()


@transaction.atomic
def delivery_attempt(*, delivery_id: UUID, now: datetime | None = None) -> Attempt:
    """Try to deliver once. The row stays locked while the channel is called, so a
    duplicate task waits and then finds it final: each delivery is sent at most once."""
    now = now or timezone.now()
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return DONE
    delivery.attempts += 1
    contact = Contact.objects.filter(user_id=delivery.recipient_id).first()
    if contact is not None and contact.deleted:
        return _finish(delivery, DeliveryStatus.SUPPRESSED, "recipient_deleted")
    kind = NotificationType(delivery.notification_type)
    channel = Channel(delivery.channel)
    if kind not in TRANSACTIONAL:
        preferences = preferences_get(user_id=delivery.recipient_id)
        if not preferences.allows(notification_type=kind, channel=channel):
            return _finish(delivery, DeliveryStatus.SUPPRESSED, "preference_disabled")
        if channel == Channel.EMAIL and preferences.digest_mode != DigestMode.IMMEDIATE:
            from notifications.delivery.digests import digest_item_add

            digest_item_add(delivery=delivery, digest_mode=preferences.digest_mode)
            delivery.reason = "digest"
            delivery.save(update_fields=["attempts", "reason", "updated_at"])
            return DONE
        if channel != Channel.IN_APP and preferences.quiet_hours is not None:
            quiet_until = preferences.quiet_hours.end_after(
                now, time_zone=contact.time_zone if contact else DEFAULT_TIME_ZONE
            )
            if quiet_until is not None:
                # Waiting out quiet hours is no attempt (attempts is not saved).
                delivery.not_before = quiet_until
                delivery.save(update_fields=["not_before", "updated_at"])
                return Attempt(defer_until=quiet_until)
    sender = channel_sender(channel)
    if sender is None:
        return _finish(delivery, DeliveryStatus.SUPPRESSED, "channel_unavailable")
    address = _address(delivery, channel=channel, contact=contact)
    if address is None:
        return _finish(delivery, DeliveryStatus.SUPPRESSED, NO_ADDRESS_REASONS[channel])
    try:
        sender.send(_message(delivery, contact=contact, address=address))
    except ChannelUnavailable:
        return _finish(delivery, DeliveryStatus.SUPPRESSED, "channel_unavailable")
    except PermanentDeliveryError as error:
        return _finish(delivery, DeliveryStatus.FAILED, str(error))
    except TransientDeliveryError as error:
        delivery.reason = str(error)[:500]
        delivery.save(update_fields=["attempts", "reason", "updated_at"])
        logger.warning(
            "delivery failed, will retry",
            extra={"delivery_id": str(delivery.id), "channel": channel, "error": str(error)},
        )
        return Attempt(retry=True)
    delivery.sent_at = now
    return _finish(delivery, DeliveryStatus.SENT, "")


# Why a delivery by a channel that needs a destination of the recipient had none.
NO_ADDRESS_REASONS = {
    Channel.EMAIL: "no_address",
    Channel.SMS: "no_phone_number",
    Channel.PUSH: "no_push_device",
}


def _address(delivery: Delivery, *, channel: Channel, contact: Contact | None) -> Address | None:
    """Where the channel takes the message: the delivery's explicit address, else the
    recipient's email, phone number or push devices; None when that channel needs one and
    the recipient has none (in-app, MQTT and webhooks find their own way)."""
    if channel == Channel.EMAIL:
        email = delivery.address or (contact.email if contact else "")
        return Address(text=email) if email else None
    if channel == Channel.SMS:
        phone_number = contact.phone_number if contact else ""
        return (
            Address(text=phone_number, destinations=({"phone_number": phone_number},))
            if phone_number
            else None
        )
    if channel == Channel.PUSH:
        devices = push_destinations(user_id=delivery.recipient_id)
        return Address(destinations=devices) if devices else None
    return Address()


def deliveries_requeue_stale(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Queue again the pending deliveries nothing has touched for ``STALE_AFTER`` (their
    task was lost: a publish that failed after the commit); returns how many. The task is
    idempotent, so a delivery whose task was only slow is not sent twice."""
    now = now or timezone.now()
    with transaction.atomic():
        stale = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, updated_at__lt=now - STALE_AFTER)
            .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
            .exclude(Exists(DigestItem.objects.filter(delivery_id=OuterRef("pk"))))
            .order_by("updated_at")
            .values_list("id", flat=True)[:limit]
        )
        # Touched, so the next sweep leaves them to this one's tasks.
        Delivery.objects.filter(pk__in=stale).update(updated_at=now)
        transaction.on_commit(partial(_enqueue, stale))
    return len(stale)


@transaction.atomic
def delivery_fail(*, delivery_id: UUID, reason: str) -> None:
    """Give a pending delivery up (its retries are exhausted)."""
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is not None and delivery.status == DeliveryStatus.PENDING:
        _finish(delivery, DeliveryStatus.FAILED, reason or delivery.reason)


def _finish(delivery: Delivery, status: DeliveryStatus, reason: str) -> Attempt:
    delivery.status = status
    delivery.reason = reason[:500]
    # The context may hold an account link's secret: nothing needs it any more.
    delivery.context = {}
    delivery.save()
    return DONE


def _message(delivery: Delivery, *, contact: Contact | None, address: Address) -> OutgoingMessage:
    context = {
        "display_name": contact.display_name if contact else "",
        **delivery.context,
    }
    if delivery.link:
        context.setdefault("link", web_link(delivery.link))
    rendered = message_render(
        notification_type=delivery.notification_type,
        locale=contact.locale if contact else DEFAULT_LOCALE,
        context=context,
    )
    return OutgoingMessage(
        delivery_id=delivery.id,
        event_id=delivery.event_id,
        recipient_id=delivery.recipient_id,
        channel=Channel(delivery.channel),
        notification_type=delivery.notification_type,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        link=delivery.link,
        address=address.text,
        destinations=address.destinations,
        data={key: value for key, value in delivery.context.items() if key.endswith("_id")},
    )
