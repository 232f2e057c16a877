import subprocess
from urllib.parse import urlsplit

import pytest
from factories import user_data

from platform_common.events import conf
from platform_common.events.envelope import Envelope
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
