"""Publish -> relay -> RabbitMQ -> Celery worker -> handlers, with real processes."""

from collections.abc import Iterator

import pytest
from evtest_app.events import fail_times
from evtest_app.models import AppliedEffect
from factories import publish_event, user_data
from processes import (
    broker_publish,
    fresh_topology,
    relay_command,
    running,
    wait_until,
    worker_command,
)

from platform_common.events import conf, dlq
from platform_common.events.envelope import Envelope
from platform_common.events.models import OutboxMessage
from platform_common.events.wire import CONSUME_TASK, event_message
from platform_common.testing.events import make_envelope

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pipeline() -> Iterator[None]:
    fresh_topology()
    with running(worker_command()), running(relay_command()):
        yield


def effects_of(envelope: Envelope) -> int:
    return AppliedEffect.objects.filter(event_id=envelope.id).count()


def test_published_events_are_handled_once_and_marked_sent(pipeline: None) -> None:
    envelopes = [publish_event() for _ in range(50)]

    wait_until(lambda: all(effects_of(envelope) == 1 for envelope in envelopes))

    wait_until(lambda: not OutboxMessage.objects.filter(sent_at__isnull=True).exists())
    assert AppliedEffect.objects.count() == 50


def test_transient_failure_is_retried_and_applied_once(pipeline: None) -> None:
    envelope = publish_event(failing_attempts=2)

    wait_until(lambda: effects_of(envelope) == 1, timeout=30)

    assert effects_of(envelope) == 1


def dead_letters() -> list[dlq.DeadLetter]:
    return dlq.list_dead_letters(broker_url=conf.broker_url(), service="evtest")


def test_poison_messages_are_dead_lettered_and_the_worker_keeps_consuming(pipeline: None) -> None:
    unknown_version = make_envelope(type="accounts.user.registered", data=user_data(), version=9)
    schema_invalid = make_envelope(type="accounts.user.registered", data={"user_id": "x"})
    broker_publish(b"{not json")
    broker_publish(b"{not json", headers={"task": CONSUME_TASK, "id": "bad-json-task"})
    for envelope in (unknown_version, schema_invalid):
        message = event_message(envelope, origin="test", traceparent=envelope.traceparent)
        broker_publish(message.body, headers=message.headers)

    healthy = publish_event()

    wait_until(lambda: effects_of(healthy) == 1)
    wait_until(lambda: len(dead_letters()) == 4)
    reasons = {letter.event_id: letter.reason for letter in dead_letters()}
    assert "v9" in reasons[str(unknown_version.id)]
    assert "user_id" in reasons[str(schema_invalid.id)]
    assert AppliedEffect.objects.count() == 1


def test_replay_after_a_fix_applies_the_event_once(pipeline: None) -> None:
    envelope = publish_event(failing_attempts=100)
    wait_until(lambda: [letter.event_id for letter in dead_letters()] == [str(envelope.id)])
    assert "injected" in dead_letters()[0].reason
    fail_times(str(envelope.id), 0)

    result = dlq.replay(broker_url=conf.broker_url(), service="evtest", match=lambda letter: True)
    wait_until(lambda: effects_of(envelope) == 1)

    assert [letter.event_id for letter in result.replayed] == [str(envelope.id)]
    assert dead_letters() == []
    assert effects_of(envelope) == 1
