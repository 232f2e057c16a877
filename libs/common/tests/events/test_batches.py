"""The worker applies the events of a batch in one transaction, each failure on its own."""

import json
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from celery import Task
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from evtest_app.events import fail_times
from evtest_app.models import AppliedEffect
from factories import user_data
from processes import drain_event_ids, fresh_topology, wait_until
from prometheus_client import REGISTRY

from platform_common.events import consumer, strategy, tasks
from platform_common.events.envelope import Envelope
from platform_common.events.models import InboxEntry
from platform_common.events.tasks import Delivery
from platform_common.observability.celery_metrics import TaskState
from platform_common.testing.events import make_envelope

pytestmark = pytest.mark.django_db(transaction=True)

TYPE = "accounts.user.registered"


@pytest.fixture(autouse=True)
def empty_queues() -> None:
    fresh_topology()


def consume_batch(task: Task[Any, Any], deliveries: list[Delivery]) -> list[TaskState]:
    return [outcome.state for outcome in tasks.consume_batch(task.app, deliveries)]


def retry_copies(count: int) -> list[str]:
    """The event ids of the next ``count`` retry copies to reach the queue (after their
    delay of one or two seconds)."""
    ids: list[str] = []

    def arrived() -> bool:
        ids.extend(drain_event_ids())
        return len(ids) >= count

    wait_until(arrived, timeout=15)
    return ids


def registered(count: int) -> list[Envelope]:
    return [make_envelope(type=TYPE, data=user_data()) for _ in range(count)]


def delivery(envelope: Envelope, *, retries: int = 0) -> Delivery:
    return Delivery(
        task_id=str(envelope.id), envelope=envelope.to_dict(), retries=retries, traceparent=""
    )


def applied(envelopes: list[Envelope]) -> set[uuid.UUID]:
    ids = [envelope.id for envelope in envelopes]
    return set(AppliedEffect.objects.filter(event_id__in=ids).values_list("event_id", flat=True))


def test_a_batch_applies_every_event_once(consume_task: Task[Any, Any]) -> None:
    envelopes = registered(3)

    states = consume_batch(consume_task, [delivery(envelope) for envelope in envelopes])
    again = consume_batch(consume_task, [delivery(envelope) for envelope in envelopes])

    assert states == again == [TaskState.SUCCEEDED] * 3
    assert applied(envelopes) == {envelope.id for envelope in envelopes}
    assert AppliedEffect.objects.count() == 3
    # Two handlers subscribe to the type: one inbox row each.
    assert InboxEntry.objects.count() == 6


def test_a_batch_claims_its_inbox_rows_in_one_statement_without_savepoints(
    consume_task: Task[Any, Any],
) -> None:
    envelopes = registered(4)

    with CaptureQueriesContext(connection) as queries:
        states = consume_batch(consume_task, [delivery(envelope) for envelope in envelopes])

    statements = [query["sql"] for query in queries.captured_queries]
    inbox = InboxEntry._meta.db_table
    assert states == [TaskState.SUCCEEDED] * 4
    assert sum(statement.startswith(f"INSERT INTO {inbox}") for statement in statements) == 1
    assert not [statement for statement in statements if "SAVEPOINT" in statement]
    assert InboxEntry.objects.count() == 8


def test_an_event_delivered_twice_in_one_batch_is_applied_once(
    consume_task: Task[Any, Any],
) -> None:
    twice, once = registered(2)

    states = consume_batch(consume_task, [delivery(twice), delivery(once), delivery(twice)])

    assert states == [TaskState.SUCCEEDED] * 3
    assert AppliedEffect.objects.filter(event_id=twice.id).count() == 1
    assert AppliedEffect.objects.filter(event_id=once.id).count() == 1


def test_the_neighbours_of_a_failing_event_are_counted_once(
    consume_task: Task[Any, Any],
) -> None:
    labels = {"service": "evtest", "type": TYPE, "outcome": "applied"}
    before = REGISTRY.get_sample_value("events_consumed_total", labels) or 0.0
    first, failing, last = envelopes = registered(3)
    fail_times(str(failing.id), 1)

    consume_batch(consume_task, [delivery(envelope) for envelope in envelopes])

    # The attempt that failed ran the first event's handlers too; it rolled back, and the
    # figures count what committed: two events, two handlers each.
    assert REGISTRY.get_sample_value("events_consumed_total", labels) == before + 4
    assert AppliedEffect.objects.filter(event_id__in=[first.id, last.id]).count() == 2
    assert retry_copies(1) == [str(failing.id)]


def test_a_failing_event_is_retried_alone_and_its_neighbours_commit(
    consume_task: Task[Any, Any],
) -> None:
    first, failing, last = envelopes = registered(3)
    fail_times(str(failing.id), 1)

    states = consume_batch(consume_task, [delivery(envelope) for envelope in envelopes])

    assert states == [TaskState.SUCCEEDED, TaskState.RETRIED, TaskState.SUCCEEDED]
    assert applied(envelopes) == {first.id, last.id}
    assert not InboxEntry.objects.filter(event_id=failing.id).exists()
    assert retry_copies(1) == [str(failing.id)]


def test_poison_in_a_batch_is_dead_lettered_and_the_rest_applied(
    consume_task: Task[Any, Any],
) -> None:
    healthy = registered(2)
    poison = make_envelope(type=TYPE, data=user_data(), version=9)

    states = consume_batch(
        consume_task, [delivery(healthy[0]), delivery(poison), delivery(healthy[1])]
    )

    assert states == [TaskState.SUCCEEDED, TaskState.REJECTED, TaskState.SUCCEEDED]
    assert applied(healthy) == {envelope.id for envelope in healthy}


def test_an_exhausted_event_in_a_batch_is_dead_lettered(
    consume_task: Task[Any, Any], settings: Any
) -> None:
    settings.EVENTS_MAX_RETRIES = 2
    healthy, failing = envelopes = registered(2)
    fail_times(str(failing.id), 1)

    states = consume_batch(consume_task, [delivery(healthy), delivery(failing, retries=2)])

    assert states == [TaskState.SUCCEEDED, TaskState.REJECTED]
    assert applied(envelopes) == {healthy.id}


def test_a_batch_whose_transaction_rolls_back_retries_every_event(
    consume_task: Task[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    envelopes = registered(3)

    def apply_then_lose_the_transaction(envelope: Envelope, **options: Any) -> None:
        consumer.apply(envelope, **options)
        if envelope.id == envelopes[1].id:
            # As a savepoint that could not roll back leaves it: Django rolls the whole
            # transaction back on exit, without an error.
            transaction.set_rollback(True)

    monkeypatch.setattr(tasks, "apply", apply_then_lose_the_transaction)

    states = consume_batch(consume_task, [delivery(envelope) for envelope in envelopes])

    assert states == [TaskState.RETRIED] * 3
    assert applied(envelopes) == set()
    assert InboxEntry.objects.count() == 0
    assert sorted(retry_copies(3)) == sorted(str(envelope.id) for envelope in envelopes)


class Pool:
    """The pool seam of the batcher: records the jobs it is given."""

    limit = 4

    def __init__(self) -> None:
        self.jobs: list[list[Delivery]] = []

    def apply_async(self, target: Any, args: tuple[list[Delivery]], **callbacks: Any) -> None:
        self.jobs.append(args[0])


class Hub:
    """The consumer's event loop seam: timers fire when the test says."""

    def __init__(self) -> None:
        self.timers: list[tuple[float, Any]] = []

    def call_later(self, delay: float, callback: Any) -> None:
        self.timers.append((delay, callback))

    def fire(self) -> None:
        timers, self.timers = self.timers, []
        for _delay, callback in timers:
            callback()


def batcher(*, hub: Hub | None) -> tuple[strategy.EventBatcher, Pool]:
    pool = Pool()
    consumer: Any = SimpleNamespace(pool=pool, hub=hub)
    return strategy.EventBatcher(consumer=consumer), pool


def receive(events: strategy.EventBatcher, envelope: Envelope) -> None:
    body = json.dumps([[envelope.to_dict()], {}, {}]).encode()
    message: Any = SimpleNamespace(headers={"id": str(envelope.id)}, body=body)
    events.receive(message, ack=lambda *_: None, reject=lambda *_: None)


def test_messages_arriving_within_the_linger_share_one_job() -> None:
    hub = Hub()
    events, pool = batcher(hub=hub)
    envelopes = registered(3)

    for envelope in envelopes:
        receive(events, envelope)
    started_before_the_linger = list(pool.jobs)
    armed = [delay for delay, _ in hub.timers]
    hub.fire()

    assert started_before_the_linger == []
    assert armed == [strategy.LINGER_SECONDS]
    assert [[d.task_id for d in job] for job in pool.jobs] == [[str(e.id) for e in envelopes]]


def test_a_full_batch_starts_without_waiting_for_the_linger() -> None:
    hub = Hub()
    events, pool = batcher(hub=hub)

    for envelope in registered(strategy.MAX_BATCH):
        receive(events, envelope)

    assert [len(job) for job in pool.jobs] == [strategy.MAX_BATCH]


def test_without_an_event_loop_each_message_starts_a_job_at_once() -> None:
    events, pool = batcher(hub=None)

    for envelope in registered(2):
        receive(events, envelope)

    assert [len(job) for job in pool.jobs] == [1, 1]
