"""Digests: email held by an hourly or daily mode leaves as one email per user per period."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.config.celery import app
from notifications.delivery.digests import digests_send_due
from notifications.delivery.models import Contact, Delivery, DeliveryStatus, DigestItem
from notifications.delivery.services import deliveries_create, delivery_attempt
from notifications.delivery.tasks import DIGESTS_TASK
from notifications.preferences.models import DeliverySettings
from notifications.preferences.types import Channel, NotificationType
from platform_common.testing.smtp import MailSink

from .conftest import make_contact

pytestmark = pytest.mark.django_db


def hold(contact: Contact, titles: list[str]) -> list[Delivery]:
    """One article_published email per title, attempted: held for the digest."""
    held = []
    for title in titles:
        event_id = uuid.uuid4()
        deliveries_create(
            event_id=event_id,
            notification_type=NotificationType.ARTICLE_PUBLISHED,
            recipient_ids=[contact.user_id],
            context={"title": title},
            link=f"/articles/{title.lower()}",
        )
        email = Delivery.objects.get(event_id=event_id, channel=Channel.EMAIL)
        delivery_attempt(delivery_id=email.id)
        held.append(email)
    return held


def age(contact: Contact, by: timedelta) -> None:
    DigestItem.objects.filter(recipient_id=contact.user_id).update(created_at=timezone.now() - by)


def test_a_digest_mode_holds_email_instead_of_sending_it(smtp_sink: MailSink) -> None:
    contact = make_contact()
    DeliverySettings.objects.create(user_id=contact.user_id, digest_mode="daily")

    [email] = hold(contact, ["Compilers"])

    email.refresh_from_db()
    assert email.status == DeliveryStatus.PENDING
    assert DigestItem.objects.get(delivery=email).digest_mode == "daily"
    assert smtp_sink.mails() == []


def test_n_held_items_leave_as_one_email_listing_n(smtp_sink: MailSink) -> None:
    contact = make_contact()
    DeliverySettings.objects.create(user_id=contact.user_id, digest_mode="hourly")
    titles = [f"Article{index}" for index in range(5)]
    held = hold(contact, titles)
    age(contact, timedelta(hours=1, minutes=1))

    sent = digests_send_due()

    assert sent == 1
    [mail] = smtp_sink.mails()
    assert mail["To"] == "ada@example.com"
    assert mail["Subject"] == "Your digest: 5 new notifications"
    text = mail.get_body(preferencelist=("plain",))
    assert text is not None
    body = text.get_content()
    for title in titles:
        assert f"New article: {title}: http" in body
    assert body.count("- New article:") == 5
    statuses = set(Delivery.objects.filter(pk__in=[d.id for d in held]).values_list("status"))
    assert statuses == {(DeliveryStatus.SENT,)}
    assert not DigestItem.objects.exists()
    assert digests_send_due() == 0


def test_items_younger_than_their_period_wait(smtp_sink: MailSink) -> None:
    hourly, daily = make_contact(), make_contact(email="grace@example.com")
    DeliverySettings.objects.create(user_id=hourly.user_id, digest_mode="hourly")
    DeliverySettings.objects.create(user_id=daily.user_id, digest_mode="daily")
    hold(hourly, ["A"])
    hold(daily, ["B"])
    age(hourly, timedelta(minutes=30))
    age(daily, timedelta(hours=2))

    assert digests_send_due() == 0
    assert smtp_sink.mails() == []


def test_the_beat_task_sends_due_digests_in_the_users_locale(smtp_sink: MailSink) -> None:
    contact = make_contact(locale="de")
    DeliverySettings.objects.create(user_id=contact.user_id, digest_mode="daily")
    hold(contact, ["A", "B"])
    age(contact, timedelta(days=1, minutes=1))

    app.tasks[DIGESTS_TASK].apply()

    [mail] = smtp_sink.mails()
    assert mail["Subject"] == "Deine Zusammenfassung: 2 neue Benachrichtigungen"


def test_the_beat_schedule_runs_the_digest_task() -> None:
    schedules = {entry["task"] for entry in app.conf.beat_schedule.values()}

    assert DIGESTS_TASK in schedules
