"""Dead letters: reading them costs no delivery, replays are once each and never capped silently."""

import pytest
from factories import user_data
from kombu import Connection
from processes import drain_event_ids, fresh_topology, manage, rebound

from platform_common.events import conf, dlq
from platform_common.events.topology import (
    DEAD_LETTER_EXCHANGE,
    EVENTS_EXCHANGE,
    dead_letter_queue_name,
    direct_routing_key,
    queue_name,
)
from platform_common.events.wire import ERROR_HEADER, event_message
from platform_common.testing.events import make_envelope

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def topology() -> None:
    fresh_topology()


def dead_letter_some(count: int) -> list[str]:
    """Put ``count`` events in the DLQ as the worker does; returns their ids in order."""
    ids = []
    with Connection(conf.broker_url(), transport_options={"confirm_publish": True}) as broker:
        producer = broker.Producer()
        for _ in range(count):
            envelope = make_envelope(type="accounts.user.registered", data=user_data())
            message = event_message(envelope, origin="test", traceparent=envelope.traceparent)
            producer.publish(
                message.body,
                exchange=DEAD_LETTER_EXCHANGE,
                routing_key=dead_letter_queue_name("evtest"),
                headers={**message.headers, ERROR_HEADER: "injected"},
                message_id=message.message_id,
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=2,
            )
            ids.append(str(envelope.id))
    return ids


def dead_letters() -> list[dlq.DeadLetter]:
    return dlq.list_dead_letters(broker_url=conf.broker_url(), service="evtest")


def test_listing_the_dlq_thirty_times_loses_nothing_and_counts_no_delivery() -> None:
    ids = dead_letter_some(3)

    listings = [dead_letters() for _ in range(30)]

    for letters in listings:
        assert [letter.event_id for letter in letters] == ids
        # A quorum queue counts every return of a message; RabbitMQ 4 drops it at 20.
        assert all(int(letter.headers.get("x-delivery-count", 0)) == 0 for letter in letters)
    assert manage("events", "dlq", "list").endswith("3 dead letter(s)\n")


def test_replay_sends_each_dead_letter_once_even_when_it_dies_again_at_once() -> None:
    (event_id,) = dead_letter_some(1)
    # The DLQ also takes what is replayed: as if the consumer dead-lettered it instantly.
    with rebound(
        dead_letter_queue_name("evtest"),
        exchange=EVENTS_EXCHANGE.name,
        routing_key=direct_routing_key("evtest"),
        present=True,
    ):
        result = dlq.replay(
            broker_url=conf.broker_url(), service="evtest", match=lambda letter: True
        )

    assert [letter.event_id for letter in result.replayed] == [event_id]
    assert drain_event_ids() == [event_id]
    # The copy that came straight back is a new dead letter, waiting to be looked at.
    assert [letter.event_id for letter in dead_letters()] == [event_id]


def test_replay_all_goes_on_past_one_batch() -> None:
    ids = dead_letter_some(12)

    result = dlq.replay(
        broker_url=conf.broker_url(), service="evtest", match=lambda letter: True, batch_size=5
    )

    assert [letter.event_id for letter in result.replayed] == ids
    assert result.remaining == 0
    assert sorted(drain_event_ids()) == sorted(ids)
    assert dead_letters() == []


def test_replay_with_a_cap_says_how_many_remain() -> None:
    ids = dead_letter_some(12)

    output = manage("events", "dlq", "replay", "--all", "--limit", "5")

    assert "replayed 5 dead letter(s); 7 more match (stopped at --limit 5)" in output
    assert sorted(drain_event_ids()) == sorted(ids[:5])
    assert [letter.event_id for letter in dead_letters()] == ids[5:]


def test_replay_that_no_queue_takes_keeps_the_dead_letter() -> None:
    (event_id,) = dead_letter_some(1)

    queue, private = queue_name("evtest"), direct_routing_key("evtest")
    # The queue takes the private key directly and through delayed delivery's "#." mirror.
    with (
        rebound(queue, exchange=EVENTS_EXCHANGE.name, routing_key=private, present=False),
        rebound(queue, exchange=EVENTS_EXCHANGE.name, routing_key=f"#.{private}", present=False),
        pytest.raises(dlq.Unroutable),
    ):
        dlq.replay(broker_url=conf.broker_url(), service="evtest", match=lambda letter: True)

    assert [letter.event_id for letter in dead_letters()] == [event_id]
