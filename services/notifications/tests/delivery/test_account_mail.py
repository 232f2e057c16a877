"""Account mails: the link of each accounts request is mailed once to its address."""

import uuid

import pytest

from notifications.delivery.models import Delivery, DeliveryStatus
from notifications.delivery.services import delivery_attempt
from notifications.inbox.models import Notification
from platform_common.testing.events import deliver, make_envelope
from platform_common.testing.smtp import MailSink

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("event_type", "link_field", "subject"),
    [
        ("accounts.user.verification_requested", "verification_url", "Confirm your email address"),
        ("accounts.user.password_reset_requested", "reset_url", "Reset your password"),
    ],
)
def test_the_link_is_mailed_once(
    smtp_sink: MailSink, event_type: str, link_field: str, subject: str
) -> None:
    user_id = uuid.uuid4()
    link = "http://platform.local/path#token=abc123"
    event = make_envelope(
        type=event_type,
        data={
            "user_id": str(user_id),
            "email": "ada@example.com",
            "display_name": "Ada",
            link_field: link,
            "expires_at": "2026-12-01T10:00:00+00:00",
        },
        aggregate_id=user_id,
        aggregate_version=1,
    )

    deliver(event)
    deliver(event)  # redelivered: the inbox absorbs it
    [delivery] = Delivery.objects.filter(recipient_id=user_id)
    delivery_attempt(delivery_id=delivery.id)
    delivery_attempt(delivery_id=delivery.id)

    [sent] = smtp_sink.mails()
    assert sent["To"] == "ada@example.com"
    assert sent["Subject"] == subject
    body = sent.get_body(preferencelist=("plain",))
    assert body is not None
    assert link in body.get_content()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    # The secret is kept nowhere once mailed, and never in the inbox.
    assert delivery.context == {}
    assert not Notification.objects.filter(user_id=user_id).exists()
