import json

import pytest
from evtest_app.events import TransientFault, fail_times
from evtest_app.models import AppliedEffect, UserCopy
from factories import user_data

from platform_common.events.consumer import PoisonMessage, process
from platform_common.events.envelope import Envelope
from platform_common.events.models import InboxEntry
from platform_common.testing.events import deliver, make_envelope

pytestmark = pytest.mark.django_db(transaction=True)


def test_delivered_event_runs_every_handler_once(registered: Envelope) -> None:
    deliver(registered)

    assert AppliedEffect.objects.filter(event_id=registered.id).count() == 1
    assert UserCopy.objects.get().email == "ada@example.com"
    assert InboxEntry.objects.filter(event_id=registered.id).count() == 2


def test_redelivered_event_changes_nothing(registered: Envelope) -> None:
    deliver(registered)

    deliver(registered)

    assert AppliedEffect.objects.filter(event_id=registered.id).count() == 1


def test_failed_handler_leaves_no_effect_and_succeeds_on_retry(registered: Envelope) -> None:
    fail_times(str(registered.id), 1)
    with pytest.raises(TransientFault):
        deliver(registered)
    assert AppliedEffect.objects.count() == 0

    deliver(registered)

    assert AppliedEffect.objects.filter(event_id=registered.id).count() == 1


def test_projection_ignores_an_older_aggregate_version() -> None:
    data = user_data()
    newer = make_envelope(
        type="accounts.user.registered",
        data={**data, "email": "new@example.com"},
        aggregate_id=data["user_id"],
        aggregate_version=3,
    )
    older = make_envelope(
        type="accounts.user.registered",
        data={**data, "email": "old@example.com"},
        aggregate_id=data["user_id"],
        aggregate_version=2,
    )
    deliver(newer)

    deliver(older)

    copy = UserCopy.objects.get()
    assert (copy.email, copy.aggregate_version) == ("new@example.com", 3)


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        json.dumps(["an", "array"]),
        json.dumps({"type": "accounts.user.registered"}),
        make_envelope(type="accounts.user.vanished", data={}).to_json(),
        make_envelope(type="accounts.user.registered", data=user_data(), version=9).to_json(),
        make_envelope(type="accounts.user.registered", data={"user_id": "x"}).to_json(),
    ],
    ids=["bad-json", "not-object", "missing-fields", "unknown-type", "unknown-version", "invalid"],
)
def test_poison_messages_are_rejected_without_effects(payload: str | bytes) -> None:
    with pytest.raises(PoisonMessage):
        process(payload)

    assert AppliedEffect.objects.count() == 0
