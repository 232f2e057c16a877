"""Email digests: deliveries held by an hourly or daily digest mode, sent as one email per
user per period by a beat task (``notifications.delivery.send_digests``)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from notifications.delivery.channels import EmailSender, OutgoingMessage, TransientDeliveryError
from notifications.delivery.models import (
    DEFAULT_LOCALE,
    Contact,
    Delivery,
    DeliveryStatus,
    DigestItem,
)
from notifications.delivery.rendering import message_render
from notifications.delivery.services import web_link
from notifications.preferences.types import Channel, DigestMode

logger = logging.getLogger(__name__)

PERIODS = {DigestMode.HOURLY: timedelta(hours=1), DigestMode.DAILY: timedelta(days=1)}
# Recipients handled per beat run; the rest wait for the next run.
RECIPIENTS_PER_RUN = 500


def digest_item_add(*, delivery: Delivery, digest_mode: DigestMode) -> None:
    """Hold ``delivery`` for its recipient's next digest (once)."""
    DigestItem.objects.get_or_create(
        delivery=delivery,
        defaults={"recipient_id": delivery.recipient_id, "digest_mode": digest_mode},
    )


def due_recipients(*, now: datetime, limit: int = RECIPIENTS_PER_RUN) -> list[UUID]:
    """Recipients whose oldest held item has waited a whole period of its mode."""
    due = Q()
    for mode, period in PERIODS.items():
        due |= Q(digest_mode=mode, oldest__lte=now - period)
    return list(
        DigestItem.objects.values("recipient_id", "digest_mode")
        .annotate(oldest=Min("created_at"))
        .filter(due)
        .values_list("recipient_id", flat=True)
        .distinct()[:limit]
    )


def digests_send_due(*, now: datetime | None = None) -> int:
    """Send every due digest (each recipient in a transaction of their own); returns how
    many were sent. A failure leaves that recipient's items for the next run."""
    now = now or timezone.now()
    sent = 0
    for recipient_id in due_recipients(now=now):
        try:
            sent += digest_send(recipient_id=recipient_id, now=now)
        except TransientDeliveryError as error:
            logger.warning(
                "digest not sent, kept for the next run",
                extra={"user_id": str(recipient_id), "error": str(error)},
            )
    return sent


@transaction.atomic
def digest_send(*, recipient_id: UUID, now: datetime) -> int:
    """One email listing every item held for the recipient; their deliveries become sent.
    Returns 1 when a digest was sent, 0 when another run took the items first."""
    items = list(
        DigestItem.objects.select_for_update(skip_locked=True)
        .select_related("delivery")
        .filter(recipient_id=recipient_id)
        .order_by("created_at")
    )
    if not items:
        return 0
    contact = Contact.objects.filter(user_id=recipient_id, deleted=False).first()
    deliveries = [item.delivery for item in items]
    if contact is None or not contact.email:
        _finish(deliveries, status=DeliveryStatus.SUPPRESSED, reason="no_address", now=now)
        return 0
    message = _digest_message(contact=contact, deliveries=deliveries)
    EmailSender().send(message)
    _finish(deliveries, status=DeliveryStatus.SENT, reason="digest", now=now)
    return 1


def _digest_message(*, contact: Contact, deliveries: list[Delivery]) -> OutgoingMessage:
    locale = contact.locale or DEFAULT_LOCALE
    entries = [
        {
            "subject": message_render(
                notification_type=delivery.notification_type,
                locale=locale,
                context={"display_name": contact.display_name, **delivery.context},
            ).subject,
            "link": web_link(delivery.link),
        }
        for delivery in deliveries
    ]
    rendered = message_render(
        notification_type="digest",
        locale=locale,
        context={"display_name": contact.display_name, "items": entries},
    )
    first = deliveries[0]
    return OutgoingMessage(
        delivery_id=first.id,
        event_id=first.event_id,
        recipient_id=contact.user_id,
        channel=Channel.EMAIL,
        notification_type="digest",
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        link="",
        address=contact.email,
    )


def _finish(deliveries: list[Delivery], *, status: str, reason: str, now: datetime) -> None:
    ids = [delivery.id for delivery in deliveries]
    Delivery.objects.filter(pk__in=ids).update(
        status=status,
        reason=reason,
        context={},
        sent_at=now if status == DeliveryStatus.SENT else None,
        updated_at=now,
    )
    DigestItem.objects.filter(delivery_id__in=ids).delete()
