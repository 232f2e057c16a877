"""Deliveries: one per (event, recipient, channel), each sent at most once, status tracked."""

import uuid
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
from pytest_django import Settings

from notifications.config.celery import app
from notifications.delivery.channels import (
    OutgoingMessage,
    channel_sender,
    register_channel,
    unregister_channel,
)
from notifications.delivery.models import Contact, Delivery, DeliveryStatus
from notifications.delivery.services import deliveries_create, delivery_attempt
from notifications.delivery.tasks import DELIVER_TASK, MAX_RETRIES
from notifications.inbox.models import Notification
from notifications.preferences.models import ChannelPreference, DeliverySettings
from notifications.preferences.types import Channel, NotificationType
from platform_common.testing.smtp import MailSink, free_port

from .conftest import ProviderServer, make_contact, make_push_device

pytestmark = pytest.mark.django_db

CONTEXT = {"title": "Compilers", "actor_name": "Grace", "article_id": "a1"}


def create(contact: Contact, **kwargs: Any) -> dict[Channel, Delivery]:
    arguments: dict[str, Any] = {
        "event_id": uuid.uuid4(),
        "notification_type": NotificationType.ARTICLE_PUBLISHED,
        "recipient_ids": [contact.user_id],
        "context": CONTEXT,
        "link": "/articles/compilers",
        **kwargs,
    }
    deliveries_create(**arguments)
    return {
        Channel(delivery.channel): delivery
        for delivery in Delivery.objects.filter(
            event_id=arguments["event_id"], recipient_id=contact.user_id
        )
    }


def test_default_channels_are_in_app_and_email() -> None:
    deliveries = create(make_contact())

    assert set(deliveries) == {Channel.IN_APP, Channel.EMAIL}
    assert {delivery.status for delivery in deliveries.values()} == {DeliveryStatus.PENDING}


def test_email_goes_to_the_smtp_sink_in_the_recipients_locale(
    smtp_sink: MailSink, settings: Settings
) -> None:
    settings.NOTIFICATION_LINK_BASE_URL = "http://web.example"
    contact = make_contact(locale="de")
    email = create(contact)[Channel.EMAIL]

    delivery_attempt(delivery_id=email.id)

    [mail] = smtp_sink.mails()
    assert mail["To"] == "ada@example.com"
    assert mail["Subject"] == "Neuer Artikel: Compilers"
    html = mail.get_body(preferencelist=("html",))
    assert html is not None
    assert 'href="http://web.example/articles/compilers"' in html.get_content()
    email.refresh_from_db()
    assert email.status == DeliveryStatus.SENT
    assert email.sent_at is not None
    assert email.context == {}


def test_in_app_creates_the_inbox_notification_with_its_link() -> None:
    contact = make_contact()
    in_app = create(contact)[Channel.IN_APP]

    delivery_attempt(delivery_id=in_app.id)

    notification = Notification.objects.get(user_id=contact.user_id)
    assert notification.kind == "article_published"
    assert notification.title == "New article: Compilers"
    assert notification.link == "/articles/compilers"
    assert notification.data == {"article_id": "a1"}


def test_the_same_event_twice_makes_no_second_delivery(smtp_sink: MailSink) -> None:
    contact = make_contact()
    event_id = uuid.uuid4()
    first = create(contact, event_id=event_id)

    again = create(contact, event_id=event_id)
    delivery_attempt(delivery_id=first[Channel.EMAIL].id)
    delivery_attempt(delivery_id=again[Channel.EMAIL].id)

    assert Delivery.objects.filter(event_id=event_id).count() == 2
    assert len(smtp_sink.mails()) == 1


def test_a_channel_turned_off_is_suppressed_and_nothing_is_sent(smtp_sink: MailSink) -> None:
    contact = make_contact()
    ChannelPreference.objects.create(
        user_id=contact.user_id,
        notification_type=NotificationType.ARTICLE_PUBLISHED,
        channel=Channel.EMAIL,
        enabled=False,
    )

    email = create(contact)[Channel.EMAIL]

    assert email.status == DeliveryStatus.SUPPRESSED
    assert email.reason == "preference_disabled"
    assert delivery_attempt(delivery_id=email.id).retry is False
    assert smtp_sink.mails() == []


def test_a_channel_turned_off_after_queuing_is_suppressed_at_sending(
    smtp_sink: MailSink,
) -> None:
    contact = make_contact()
    email = create(contact)[Channel.EMAIL]
    ChannelPreference.objects.create(
        user_id=contact.user_id,
        notification_type=NotificationType.ARTICLE_PUBLISHED,
        channel=Channel.EMAIL,
        enabled=False,
    )

    delivery_attempt(delivery_id=email.id)

    email.refresh_from_db()
    assert email.status == DeliveryStatus.SUPPRESSED
    assert smtp_sink.mails() == []


def test_quiet_hours_defer_email_to_their_end_in_the_users_zone(smtp_sink: MailSink) -> None:
    contact = make_contact(time_zone="Europe/Berlin")
    DeliverySettings.objects.create(
        user_id=contact.user_id, quiet_start=time(22, 0), quiet_end=time(7, 0)
    )
    email = create(contact)[Channel.EMAIL]

    attempt = delivery_attempt(delivery_id=email.id, now=datetime(2026, 1, 10, 22, 30, tzinfo=UTC))

    assert attempt.defer_until is not None
    assert attempt.defer_until.astimezone(UTC) == datetime(2026, 1, 11, 6, 0, tzinfo=UTC)
    email.refresh_from_db()
    assert email.status == DeliveryStatus.PENDING
    assert smtp_sink.mails() == []


def test_an_unreachable_smtp_relay_is_retried_then_failed(settings: Settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    email = create(make_contact())[Channel.EMAIL]

    # Eagerly: each retry runs at once instead of after its countdown.
    app.tasks[DELIVER_TASK].apply(args=(str(email.id),))

    email.refresh_from_db()
    assert email.status == DeliveryStatus.FAILED
    assert email.attempts == MAX_RETRIES + 1
    assert email.reason.startswith("smtp:")


def test_the_task_sends_a_pending_delivery(smtp_sink: MailSink) -> None:
    email = create(make_contact())[Channel.EMAIL]

    app.tasks[DELIVER_TASK].apply(args=(str(email.id),))

    email.refresh_from_db()
    assert email.status == DeliveryStatus.SENT
    assert email.attempts == 1
    assert len(smtp_sink.mails()) == 1


def test_a_deleted_recipient_is_suppressed() -> None:
    contact = make_contact()
    in_app = create(contact)[Channel.IN_APP]
    Contact.objects.filter(pk=contact.pk).update(deleted=True)

    delivery_attempt(delivery_id=in_app.id)

    in_app.refresh_from_db()
    assert (in_app.status, in_app.reason) == (DeliveryStatus.SUPPRESSED, "recipient_deleted")


def _opt_in(contact: Contact, channel: Channel) -> None:
    ChannelPreference.objects.create(
        user_id=contact.user_id,
        notification_type=NotificationType.ARTICLE_PUBLISHED,
        channel=channel,
        enabled=True,
    )


def test_sms_goes_to_the_providers_webhook(
    settings: Settings, provider_server: ProviderServer
) -> None:
    settings.SMS_WEBHOOK_URL = provider_server.url
    contact = make_contact()
    _opt_in(contact, Channel.SMS)
    sms = create(contact)[Channel.SMS]

    delivery_attempt(delivery_id=sms.id)

    [(headers, body)] = provider_server.received
    assert headers["Idempotency-Key"] == str(sms.id)
    assert body["recipient_id"] == str(contact.user_id)
    assert body["subject"] == "New article: Compilers"
    assert body["to"] == [{"phone_number": "+4915112345678"}]
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.SENT


@pytest.mark.parametrize(
    ("status", "expected"), [(503, DeliveryStatus.PENDING), (400, DeliveryStatus.FAILED)]
)
def test_a_webhook_error_is_retried_or_final(
    settings: Settings, provider_server: ProviderServer, status: int, expected: DeliveryStatus
) -> None:
    settings.PUSH_WEBHOOK_URL = provider_server.url
    provider_server.status = status
    contact = make_contact()
    make_push_device(contact, token="fcm-1")
    _opt_in(contact, Channel.PUSH)
    push = create(contact)[Channel.PUSH]

    attempt = delivery_attempt(delivery_id=push.id)

    assert attempt.retry is (expected == DeliveryStatus.PENDING)
    push.refresh_from_db()
    assert push.status == expected


def test_push_without_a_webhook_goes_to_the_local_sink(settings: Settings, tmp_path: Path) -> None:
    settings.PUSH_WEBHOOK_URL = ""
    settings.PROVIDER_SINK_DIR = str(tmp_path)
    contact = make_contact()
    make_push_device(contact, token="fcm-1")
    _opt_in(contact, Channel.PUSH)
    push = create(contact)[Channel.PUSH]

    delivery_attempt(delivery_id=push.id)

    assert (tmp_path / "push" / f"{push.id}.json").is_file()


def test_sms_with_no_provider_is_suppressed(settings: Settings) -> None:
    settings.SMS_WEBHOOK_URL = settings.PROVIDER_SINK_DIR = ""
    contact = make_contact()
    _opt_in(contact, Channel.SMS)
    sms = create(contact)[Channel.SMS]

    delivery_attempt(delivery_id=sms.id)

    sms.refresh_from_db()
    assert (sms.status, sms.reason) == (DeliveryStatus.SUPPRESSED, "channel_unavailable")


def test_mqtt_goes_through_the_registered_channel_and_is_suppressed_without_one() -> None:
    sent: list[OutgoingMessage] = []

    class Recorder:
        def send(self, message: OutgoingMessage) -> None:
            sent.append(message)

    contact = make_contact()
    _opt_in(contact, Channel.MQTT)
    registered = channel_sender(Channel.MQTT)  # the mqtt app's, put back after
    unregister_channel(Channel.MQTT)
    try:
        without = create(contact)[Channel.MQTT]
        delivery_attempt(delivery_id=without.id)
        register_channel(Channel.MQTT, Recorder())
        with_sender = create(contact)[Channel.MQTT]
        delivery_attempt(delivery_id=with_sender.id)
    finally:
        unregister_channel(Channel.MQTT)
        if registered is not None:
            register_channel(Channel.MQTT, registered)

    without.refresh_from_db()
    assert without.reason == "channel_unavailable"
    [message] = sent
    assert (message.recipient_id, message.link) == (contact.user_id, "/articles/compilers")
    assert message.data == {"article_id": "a1"}


def test_push_goes_to_every_device_of_the_recipient(
    settings: Settings, provider_server: ProviderServer
) -> None:
    settings.PUSH_WEBHOOK_URL = provider_server.url
    contact = make_contact()
    make_push_device(contact, token="phone")
    make_push_device(contact, token="tablet")
    make_push_device(make_contact(), token="someone-else")
    _opt_in(contact, Channel.PUSH)
    push = create(contact)[Channel.PUSH]

    delivery_attempt(delivery_id=push.id)

    [(_headers, body)] = provider_server.received
    assert sorted(device["token"] for device in body["to"]) == ["phone", "tablet"]
    assert {device["platform"] for device in body["to"]} == {"android"}
    push.refresh_from_db()
    assert push.status == DeliveryStatus.SENT


@pytest.mark.parametrize(
    ("channel", "reason"),
    [(Channel.SMS, "no_phone_number"), (Channel.PUSH, "no_push_device")],
)
def test_sms_or_push_without_an_address_is_suppressed_and_nothing_is_sent(
    settings: Settings, provider_server: ProviderServer, channel: Channel, reason: str
) -> None:
    settings.SMS_WEBHOOK_URL = settings.PUSH_WEBHOOK_URL = provider_server.url
    contact = make_contact(phone_number="")
    _opt_in(contact, channel)
    delivery = create(contact)[channel]

    delivery_attempt(delivery_id=delivery.id)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.reason) == (DeliveryStatus.SUPPRESSED, reason)
    assert provider_server.received == []
