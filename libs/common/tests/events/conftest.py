import subprocess
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from celery import Task
from factories import user_data
from kombu import Connection
from kombu.transport.native_delayed_delivery import (
    declare_native_delayed_delivery_exchanges_and_queues,
)

from platform_common.events import conf
from platform_common.events.envelope import Envelope
from platform_common.events.registry import subscribed_types
from platform_common.events.topology import declare_topology
from platform_common.events.wire import CONSUME_TASK
from platform_common.testing.events import make_envelope


@pytest.fixture
def registered() -> Envelope:
    data = user_data()
    return make_envelope(type="accounts.user.registered", data=data, aggregate_id=data["user_id"])


@pytest.fixture(scope="session", autouse=True)
def broker_vhost() -> None:
    """Create the tests' RabbitMQ vhost (idempotent) and let guest use it."""
    vhost = urlsplit(conf.broker_url()).path.removeprefix("/")
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True)
    subprocess.run(
        ["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
        check=True,
    )


@pytest.fixture
def consume_task() -> Iterator[Task[Any, Any]]:
    """The worker's consume task, called in this process with a request of its own."""
    from evtest_celery import app

    with Connection(conf.broker_url()) as broker:
        declare_topology(broker, service="evtest", event_types=subscribed_types())
        declare_native_delayed_delivery_exchanges_and_queues(broker, "quorum")
    task = app.tasks[CONSUME_TASK]
    task.push_request(id=str(uuid.uuid4()), retries=0)
    yield task
    task.pop_request()
