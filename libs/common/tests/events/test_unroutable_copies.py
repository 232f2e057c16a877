"""The worker's own publishes (retries, dead letters) fail loudly when no queue takes them.

The task then fails and Celery rejects the delivery, so RabbitMQ dead-letters the original
(at-least-once) instead of the copy being confirmed and dropped.
"""

from typing import Any

import pytest
from celery import Task
from evtest_app.events import fail_times
from factories import user_data
from kombu.transport.native_delayed_delivery import (
    MAX_LEVEL,
)
from processes import rebound

from platform_common.events import tasks
from platform_common.events.topology import (
    DEAD_LETTER_EXCHANGE,
    dead_letter_queue_name,
)
from platform_common.events.wire import Unroutable
from platform_common.testing.events import make_envelope

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_dead_letter_no_queue_takes_is_an_error(consume_task: Task[Any, Any]) -> None:
    poison = make_envelope(type="accounts.user.registered", data=user_data(), version=9)

    with (
        rebound(
            dead_letter_queue_name("evtest"),
            exchange=DEAD_LETTER_EXCHANGE.name,
            routing_key=dead_letter_queue_name("evtest"),
            present=False,
        ),
        pytest.raises(Unroutable, match=r"platform\.dlx"),
    ):
        tasks.consume(consume_task, poison.to_dict())


def test_a_retry_no_queue_takes_is_an_error(consume_task: Task[Any, Any]) -> None:
    envelope = make_envelope(type="accounts.user.registered", data=user_data())
    fail_times(str(envelope.id), 1)
    # The first retry waits one second: its path ends in the level-0 delay queue.
    one_second = "*." * MAX_LEVEL + "1.#"

    with (
        rebound(
            "celery_delayed_0", exchange="celery_delayed_0", routing_key=one_second, present=False
        ),
        pytest.raises(Unroutable, match=f"celery_delayed_{MAX_LEVEL}"),
    ):
        tasks.consume(consume_task, envelope.to_dict())
