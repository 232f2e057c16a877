from __future__ import annotations

import pytest
from django.db import transaction

from accounts.users.models import User
from accounts.users.services import user_register
from platform_common.api.errors import ApplicationError
from platform_common.events.models import OutboxMessage
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_user_register_writes_the_registered_event_to_the_outbox() -> None:
    user = user_register(email="erin@EXAMPLE.org", password=PASSWORD, display_name=" Erin ")

    message = OutboxMessage.objects.get(event_type="accounts.user.registered")
    envelope = message.envelope
    assert message.event_type == "accounts.user.registered"
    assert envelope["version"] == 1
    assert envelope["producer"] == "accounts"
    assert envelope["aggregate_id"] == str(user.id)
    assert envelope["aggregate_version"] == user.version == 1
    assert envelope["data"] == {
        "user_id": str(user.id),
        "email": "erin@example.org",
        "display_name": "Erin",
    }


def test_user_register_leaves_no_event_when_the_transaction_rolls_back() -> None:
    def register_in_a_failing_transaction() -> None:
        with transaction.atomic():
            user_register(email="frank@example.org", password=PASSWORD, display_name="Frank")
            raise RuntimeError("the caller's transaction fails after the insert")

    with pytest.raises(RuntimeError):
        register_in_a_failing_transaction()

    assert not User.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_user_register_refuses_a_duplicate_email_without_an_event(user: User) -> None:
    with pytest.raises(ApplicationError) as refused:
        user_register(email="carol@example.com", password=PASSWORD, display_name="Other")

    assert (refused.value.code, refused.value.status) == ("email_taken", 409)
    assert not OutboxMessage.objects.exists()
