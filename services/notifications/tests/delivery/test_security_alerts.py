"""Security alerts: accounts' security_alert events reach the owner by mail and in the
inbox, in their locale, whatever their preferences."""

import uuid
from datetime import time
from typing import Any

import pytest

from notifications.delivery.models import Delivery, DeliveryStatus
from notifications.delivery.services import delivery_attempt
from notifications.inbox.models import Notification
from notifications.preferences.models import ChannelPreference, DeliverySettings
from notifications.preferences.types import Channel, DigestMode, NotificationType
from platform_common.events import Envelope
from platform_common.testing.events import deliver, make_envelope
from platform_common.testing.smtp import MailSink

from .conftest import make_contact

pytestmark = pytest.mark.django_db


def security_alert(user_id: uuid.UUID, **data: Any) -> Envelope:
    return make_envelope(
        type="accounts.user.security_alert",
        data={
            "user_id": str(user_id),
            "email": "ada@example.com",
            "display_name": "Ada",
            "kind": "password_changed",
            "occurred_at": "2026-11-30T12:00:00+00:00",
            "ip": "203.0.113.7",
            "device": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
            **data,
        },
        aggregate_id=user_id,
    )


def attempt_all(user_id: uuid.UUID) -> dict[Channel, Delivery]:
    for delivery in Delivery.objects.filter(recipient_id=user_id):
        delivery_attempt(delivery_id=delivery.id)
    return {
        Channel(delivery.channel): delivery
        for delivery in Delivery.objects.filter(recipient_id=user_id)
    }


def test_the_alert_is_mailed_and_put_in_the_inbox_once(smtp_sink: MailSink) -> None:
    contact = make_contact()
    event = security_alert(contact.user_id)

    deliver(event)
    deliver(event)  # redelivered: the inbox absorbs it
    deliveries = attempt_all(contact.user_id)

    assert {channel: d.status for channel, d in deliveries.items()} == {
        Channel.EMAIL: DeliveryStatus.SENT,
        Channel.IN_APP: DeliveryStatus.SENT,
    }
    [mail] = smtp_sink.mails()
    assert mail["To"] == "ada@example.com"
    assert mail["Subject"] == "Security notice: Your password was changed"
    text = mail.get_body(preferencelist=("plain",))
    assert text is not None
    assert "203.0.113.7" in text.get_content()
    assert "Firefox/133.0" in text.get_content()
    [notification] = Notification.objects.filter(user_id=contact.user_id)
    assert notification.kind == NotificationType.ACCOUNT_SECURITY_ALERT
    assert notification.title == "Security notice: Your password was changed"
    assert notification.link == "/account/security"


def test_the_alert_is_in_the_owners_language(smtp_sink: MailSink) -> None:
    contact = make_contact(locale="de")

    deliver(security_alert(contact.user_id, kind="mfa_disabled", ip=None, device=""))
    attempt_all(contact.user_id)

    [mail] = smtp_sink.mails()
    assert mail["Subject"] == "Sicherheitshinweis: Die Zwei-Faktor-Anmeldung wurde ausgeschaltet"
    text = mail.get_body(preferencelist=("plain",))
    assert text is not None
    assert "Von Adresse" not in text.get_content()


def test_preferences_quiet_hours_and_digests_do_not_hold_the_alert_back(
    smtp_sink: MailSink,
) -> None:
    contact = make_contact()
    for channel in (Channel.EMAIL, Channel.IN_APP):
        ChannelPreference.objects.create(
            user_id=contact.user_id,
            notification_type=NotificationType.ACCOUNT_SECURITY_ALERT,
            channel=channel,
            enabled=False,
        )
    DeliverySettings.objects.create(
        user_id=contact.user_id,
        digest_mode=DigestMode.DAILY,
        quiet_start=time(0, 0),
        quiet_end=time(23, 59),
    )

    deliver(security_alert(contact.user_id, kind="sessions_revoked"))
    deliveries = attempt_all(contact.user_id)

    assert {d.status for d in deliveries.values()} == {DeliveryStatus.SENT}
    assert len(smtp_sink.mails()) == 1


def test_an_alert_for_a_deleted_user_is_suppressed(smtp_sink: MailSink) -> None:
    contact = make_contact(deleted=True)

    deliver(security_alert(contact.user_id))
    deliveries = attempt_all(contact.user_id)

    assert {d.reason for d in deliveries.values()} == {"recipient_deleted"}
    assert smtp_sink.mails() == []
