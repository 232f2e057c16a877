import re

import pytest
from django.db import transaction
from factories import publish_registered, user_data
from opentelemetry import context, propagate

from platform_common.events import publish
from platform_common.events.contracts import ContractError
from platform_common.events.models import OutboxMessage
from platform_common.events.outbox import NotInTransaction
from platform_common.observability.logging import request_id_var

pytestmark = pytest.mark.django_db(transaction=True)

TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")


def test_publish_writes_one_outbox_row_with_the_full_envelope() -> None:
    request_id_var.set("req-123")
    incoming = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
    token = context.attach(propagate.extract(incoming))

    try:
        with transaction.atomic():
            publish_registered(email="grace@example.com")
    finally:
        context.detach(token)

    row = OutboxMessage.objects.get()
    assert row.sent_at is None
    assert row.event_type == "accounts.user.registered"
    assert row.envelope["producer"] == "evtest"
    assert row.envelope["request_id"] == "req-123"
    assert row.envelope["data"]["email"] == "grace@example.com"
    match = TRACEPARENT.fullmatch(row.envelope["traceparent"])
    assert match is not None
    # Same trace, the publish span's own id.
    assert match.groups()[0] == "0af7651916cd43dd8448eb211c80319c"
    assert match.groups()[1] != "b7ad6b7169203331"


def test_publish_without_request_context_starts_a_trace_without_recording_it() -> None:
    """No exporter configured (these tests' environment): ids are minted, nothing recorded."""
    with transaction.atomic():
        publish_registered()

    match = TRACEPARENT.fullmatch(OutboxMessage.objects.get().envelope["traceparent"])
    assert match is not None
    assert int(match.group(3), 16) & 1 == 0  # the sampled flag is off: no span was processed


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
