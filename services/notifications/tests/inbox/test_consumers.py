import json
import logging
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

import pytest
import uvicorn
from pytest_django import Settings
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from notifications.inbox.services import notification_create
from notifications.inbox.socket_auth import CLOSE_TRY_AGAIN_LATER, CLOSE_UNAUTHENTICATED
from platform_common.testing.events import deliver
from platform_common.testing.fixtures import RevokeSession
from platform_common.testing.jwt import (
    TEST_AUDIENCE,
    TEST_ISSUER,
    MakeToken,
    SigningKey,
    sign_token,
)
from platform_common.testing.metrics import Scrape, scrape
from tests.inbox.conftest import UserRegistered, websocket_url

RECEIVE_TIMEOUT_SECONDS = 5
# Long enough for a push that was going to arrive to have arrived.
SILENCE_SECONDS = 0.5
# Longer than the channel layer's 5 s blocking read.
IDLE_SECONDS = 7
# Connections a closing round opens and closes together, and how long their tasks may take
# to end: far less than the channel layer's 5 s blocking read.
DISCONNECT_ROUNDS = 5
SOCKETS_PER_ROUND = 8
DRAIN_SECONDS = 1


def _open(url: str, token: str | None = None, *, as_subprotocol: bool = False) -> ClientConnection:
    if token is None:
        return connect(url, open_timeout=RECEIVE_TIMEOUT_SECONDS)
    if as_subprotocol:
        bearer = [Subprotocol("bearer"), Subprotocol(token)]
        return connect(url, subprotocols=bearer, open_timeout=RECEIVE_TIMEOUT_SECONDS)
    return connect(f"{url}?access_token={token}", open_timeout=RECEIVE_TIMEOUT_SECONDS)


def _receive_json(socket: ClientConnection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(socket.recv(timeout=RECEIVE_TIMEOUT_SECONDS))
    return frame


def _close_code_and_reason(socket: ClientConnection) -> tuple[int, str]:
    with pytest.raises(ConnectionClosed) as closed:
        socket.recv(timeout=RECEIVE_TIMEOUT_SECONDS)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


def test_a_socket_without_a_token_is_closed_with_4401(asgi_server: str) -> None:
    with _open(asgi_server) as socket:
        closed = _close_code_and_reason(socket)

    assert closed == (CLOSE_UNAUTHENTICATED, "not_authenticated")


def test_a_forged_token_is_closed_with_4401(asgi_server: str) -> None:
    forger = SigningKey.generate(kid="test-key-1")
    token = sign_token(forger, issuer=TEST_ISSUER, audience=TEST_AUDIENCE)

    with _open(asgi_server, token) as socket:
        closed = _close_code_and_reason(socket)

    assert closed == (CLOSE_UNAUTHENTICATED, "invalid_token")


def test_an_expired_token_is_closed_with_4401(asgi_server: str, make_token: MakeToken) -> None:
    with _open(asgi_server, make_token(exp_delta=-3600)) as socket:
        closed = _close_code_and_reason(socket)

    assert closed == (CLOSE_UNAUTHENTICATED, "token_expired")


def test_a_token_of_a_revoked_session_is_closed_with_4401(
    asgi_server: str, make_token: MakeToken, revoke_session: RevokeSession
) -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    revoke_session(user_id, session_id)

    with _open(asgi_server, make_token(sub=user_id, sid=str(session_id))) as socket:
        closed = _close_code_and_reason(socket)

    assert closed == (CLOSE_UNAUTHENTICATED, "invalid_token")


def test_a_new_notification_reaches_its_users_socket_only(
    asgi_server: str, make_token: MakeToken
) -> None:
    user_id, other_user_id = uuid.uuid4(), uuid.uuid4()
    with (
        _open(asgi_server, make_token(sub=user_id)) as mine,
        _open(asgi_server, make_token(sub=other_user_id)) as theirs,
    ):
        notification = notification_create(user_id=user_id, kind="welcome", title="Hi")

        frame = _receive_json(mine)
        with pytest.raises(TimeoutError):
            theirs.recv(timeout=SILENCE_SECONDS)

    assert frame["type"] == "notification.created"
    assert frame["notification"]["id"] == str(notification.id)
    assert frame["notification"]["title"] == "Hi"


def test_the_bearer_subprotocol_authenticates(asgi_server: str, make_token: MakeToken) -> None:
    user_id = uuid.uuid4()
    with _open(asgi_server, make_token(sub=user_id), as_subprotocol=True) as socket:
        notification = notification_create(user_id=user_id, kind="welcome", title="Hi")

        frame = _receive_json(socket)

        assert socket.subprotocol == "bearer"
    assert frame["notification"]["id"] == str(notification.id)


def test_the_authorization_header_authenticates_as_at_the_gateway(
    asgi_server: str, make_token: MakeToken
) -> None:
    user_id = uuid.uuid4()
    headers = {"Authorization": f"Bearer {make_token(sub=user_id)}"}
    with connect(
        asgi_server, additional_headers=headers, open_timeout=RECEIVE_TIMEOUT_SECONDS
    ) as socket:
        notification = notification_create(user_id=user_id, kind="welcome", title="Hi")

        frame = _receive_json(socket)

        assert socket.subprotocol is None
    assert frame["notification"]["id"] == str(notification.id)


def test_a_client_message_is_answered_with_an_error_frame(
    asgi_server: str, make_token: MakeToken
) -> None:
    with _open(asgi_server, make_token()) as socket:
        socket.send(json.dumps({"type": "subscribe"}))

        frame = _receive_json(socket)

    assert (frame["type"], frame["code"]) == ("error", "unknown_message")


def test_the_socket_closes_when_its_token_expires(asgi_server: str, make_token: MakeToken) -> None:
    with _open(asgi_server, make_token(exp_delta=1)) as socket:
        closed = _close_code_and_reason(socket)

    assert closed == (CLOSE_UNAUTHENTICATED, "token_expired")


def test_the_query_token_never_reaches_the_logs(
    asgi_server: str, make_token: MakeToken, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.error")
    token = make_token()

    with _open(asgi_server, token) as socket:
        socket.send("ping")
        _receive_json(socket)

    assert '"WebSocket /ws/notifications/' in caplog.text
    assert token not in caplog.text


def test_unreachable_verification_keys_close_with_try_again_later(
    asgi_server: str, make_token: MakeToken, settings: Settings
) -> None:
    # Nothing listens on port 1: the JWKS is down, which is not the client's fault.
    settings.JWKS_URL = "http://127.0.0.1:1/.well-known/jwks.json"

    with _open(asgi_server, make_token()) as socket:
        closed = _close_code_and_reason(socket)

    assert closed == (CLOSE_TRY_AGAIN_LATER, "service_unavailable")


def test_open_sockets_and_messages_are_served_on_metrics(
    asgi_server: str, make_token: MakeToken
) -> None:
    metrics_url = asgi_server.replace("ws://", "http://").replace("/ws/notifications/", "/metrics")
    before = scrape(metrics_url)

    with _open(asgi_server, make_token()) as socket:
        socket.send("hello")
        socket.send("again")
        _receive_json(socket)  # the handshake and the consumer's connect() are done
        _receive_json(socket)
        while_open = scrape(metrics_url)
    _wait_for(lambda: _open_websockets(scrape(metrics_url)) == _open_websockets(before))

    assert _open_websockets(while_open) == _open_websockets(before) + 1
    for direction in ("sent", "received"):
        assert _messages(while_open, direction) == _messages(before, direction) + 2


def _open_websockets(metrics: Scrape) -> float:
    return metrics.value("notifications_websocket_connections", service="notifications") or 0.0


def _messages(metrics: Scrape, direction: str) -> float:
    name = "notifications_websocket_messages_total"
    return metrics.value(name, service="notifications", direction=direction) or 0.0


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + RECEIVE_TIMEOUT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_an_idle_socket_outlives_the_channel_layers_blocking_read(
    asgi_server: str, make_token: MakeToken
) -> None:
    # channels-redis waits for messages with BZPOPMIN(timeout=5); a Redis client socket
    # timeout at or below that would drop every socket idle for a few seconds.
    user_id = uuid.uuid4()
    with _open(asgi_server, make_token(sub=user_id)) as socket:
        with pytest.raises(TimeoutError):
            socket.recv(timeout=IDLE_SECONDS)

        notification = notification_create(user_id=user_id, kind="welcome", title="Hi")

        frame = _receive_json(socket)
    assert frame["notification"]["id"] == str(notification.id)


def test_closed_sockets_leave_no_consumer_running(
    uvicorn_server: uvicorn.Server, make_token: MakeToken
) -> None:
    # Sockets closing together cancel their consumers' channel layer receives together;
    # on Python 3.11 one of them used to lose its cancellation inside redis-py (see
    # notifications.config.redis_connection) and keep the server from ever stopping.
    url = websocket_url(uvicorn_server)
    for _ in range(DISCONNECT_ROUNDS):
        with ExitStack() as stack:
            sockets = [
                stack.enter_context(_open(url, make_token())) for _ in range(SOCKETS_PER_ROUND)
            ]
            # Oldest first: the first consumer holds the layer's receive lock, and each
            # close hands it to a consumer whose own cancellation is on its way.
            for socket in sockets:
                socket.close()

        deadline = time.monotonic() + DRAIN_SECONDS
        while uvicorn_server.server_state.tasks:
            assert time.monotonic() < deadline, "a consumer outlived its closed socket"
            time.sleep(0.01)


def test_a_registered_users_open_socket_receives_the_welcome(
    asgi_server: str, make_token: MakeToken, user_registered: UserRegistered
) -> None:
    user_id = uuid.uuid4()
    with _open(asgi_server, make_token(sub=user_id)) as socket:
        deliver(user_registered(user_id))

        frame = _receive_json(socket)

    assert frame["type"] == "notification.created"
    assert frame["notification"]["kind"] == "welcome"
