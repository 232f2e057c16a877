"""Account mails: the link of each accounts request is mailed once to its address."""

import uuid

import pytest
from django.core import mail
from pytest_django import Settings

from platform_common.testing.events import deliver, make_envelope

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_kept_in_memory(settings: Settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.mark.parametrize(
    ("event_type", "link_field", "subject"),
    [
        ("accounts.user.verification_requested", "verification_url", "Confirm your email address"),
        ("accounts.user.password_reset_requested", "reset_url", "Reset your password"),
    ],
)
def test_the_link_is_mailed_once(event_type: str, link_field: str, subject: str) -> None:
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

    [sent] = mail.outbox
    assert sent.to == ["ada@example.com"]
    assert sent.subject == subject
    assert link in sent.body
