import pytest
from django.db import transaction
from factories import publish_registered, user_data

from platform_common.events import publish
from platform_common.events.contracts import ContractError
from platform_common.events.models import OutboxMessage
from platform_common.events.outbox import NotInTransaction
from platform_common.observability.logging import request_id_var
from platform_common.observability.tracecontext import is_valid_traceparent, traceparent_var

pytestmark = pytest.mark.django_db(transaction=True)


def test_publish_writes_one_outbox_row_with_the_full_envelope() -> None:
    request_id_var.set("req-123")
    traceparent_var.set("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")

    with transaction.atomic():
        publish_registered(email="grace@example.com")

    row = OutboxMessage.objects.get()
    assert row.sent_at is None
    assert row.event_type == "accounts.user.registered"
    assert row.envelope["producer"] == "evtest"
    assert row.envelope["request_id"] == "req-123"
    assert row.envelope["data"]["email"] == "grace@example.com"
    trace_id = row.envelope["traceparent"].split("-")[1]
    assert trace_id == "0af7651916cd43dd8448eb211c80319c"


def test_publish_without_request_context_generates_a_traceparent() -> None:
    with transaction.atomic():
        publish_registered()

    assert is_valid_traceparent(OutboxMessage.objects.get().envelope["traceparent"])


def register_then_fail() -> None:
    with transaction.atomic():
        publish_registered()
        raise RuntimeError("domain change failed after publishing")


def test_rolled_back_transaction_publishes_nothing() -> None:
    with pytest.raises(RuntimeError):
        register_then_fail()

    assert OutboxMessage.objects.count() == 0


def test_publish_outside_a_transaction_is_refused() -> None:
    data = user_data()
    with pytest.raises(NotInTransaction):
        publish(
            type="accounts.user.registered",
            data=data,
            aggregate_id=data["user_id"],
            aggregate_version=1,
        )

    assert OutboxMessage.objects.count() == 0


def test_publish_refuses_data_that_breaks_the_contract() -> None:
    with pytest.raises(ContractError, match="email"), transaction.atomic():
        publish_registered(email="not-an-email")

    assert OutboxMessage.objects.count() == 0
