import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
import uvicorn
from channels.layers import channel_layers
from django.db import connections

from notifications.config.asgi import application
from platform_common.events import Envelope
from platform_common.testing.events import make_envelope
from platform_common.testing.jwt import JWKSServer

SERVER_START_TIMEOUT_SECONDS = 10
SERVER_STOP_TIMEOUT_SECONDS = 5

UserRegistered = Callable[[uuid.UUID], Envelope]


@pytest.fixture
def user_registered() -> UserRegistered:
    """``user_registered(user_id)``: a fresh ``accounts.user.registered`` v1 event."""

    def build(user_id: uuid.UUID) -> Envelope:
        return make_envelope(
            type="accounts.user.registered",
            data={
                "user_id": str(user_id),
                "email": "ada@example.com",
                "display_name": "Ada Lovelace",
            },
            aggregate_id=user_id,
            aggregate_version=1,
        )

    return build


@contextlib.contextmanager
def serving_notifications() -> Iterator[uvicorn.Server]:
    """The service's ASGI app under a real uvicorn on a random 127.0.0.1 port, started.

    ``log_config=None`` leaves logging as Django configured it, so tests can read uvicorn's
    log records. No ``timeout_graceful_shutdown``: the server must stop by itself once its
    clients left. Stopping it is a restart of the notifications process, as far as its
    sockets can tell.
    """
    # A fresh channel layer per server: each server thread runs its own event loop.
    channel_layers.backends.clear()
    # Consumers read the database in worker threads: each closes its connection after use,
    # so the test database can be dropped at the end of the run.
    database = connections.settings["default"]
    conn_max_age = database["CONN_MAX_AGE"]
    database["CONN_MAX_AGE"] = 0
    config = uvicorn.Config(application, host="127.0.0.1", port=0, lifespan="off", log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(timeout=SERVER_STOP_TIMEOUT_SECONDS)
        database["CONN_MAX_AGE"] = conn_max_age
    assert not thread.is_alive(), "uvicorn did not stop"


@pytest.fixture
def uvicorn_server(transactional_db: None, jwks_server: JWKSServer) -> Iterator[uvicorn.Server]:
    """``serving_notifications()`` for one test (``transactional_db``: the server thread
    only sees committed rows)."""
    with serving_notifications() as server:
        yield server


def websocket_url(server: uvicorn.Server) -> str:
    port = server.servers[0].sockets[0].getsockname()[1]
    return f"ws://127.0.0.1:{port}/ws/notifications/"


@pytest.fixture
def asgi_server(uvicorn_server: uvicorn.Server) -> str:
    """The WebSocket URL of ``uvicorn_server``."""
    return websocket_url(uvicorn_server)
