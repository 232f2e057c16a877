import contextlib
import json
import socket as sockets
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
import uvicorn
from channels.layers import get_channel_layer
from django.db import transaction
from pytest_django import Settings
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from notifications.inbox.consumers import (
    CLOSE_BAD_REQUEST,
    CLOSE_POLICY_VIOLATION,
    CLOSE_TOO_MANY_SOCKETS,
)
from notifications.inbox.models import Notification
from notifications.inbox.realtime import notification_created_push, run_on_push_loop
from notifications.inbox.services import _next_sequence, notification_create
from platform_common.testing.jwt import JWKSServer, MakeToken
from platform_common.testing.metrics import scrape
from tests.inbox.conftest import serving_notifications, websocket_url

TIMEOUT_SECONDS = 5
SILENCE_SECONDS = 0.5


def _open(url: str, token: str, since: int | None = None) -> ClientConnection:
    query = f"?access_token={token}" + (f"&since={since}" if since is not None else "")
    return connect(url + query, open_timeout=TIMEOUT_SECONDS)


def _frame(socket: ClientConnection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(socket.recv(timeout=TIMEOUT_SECONDS))
    return frame


def _notifications(socket: ClientConnection, count: int) -> list[dict[str, Any]]:
    frames = [_frame(socket) for _ in range(count)]
    assert {frame["type"] for frame in frames} == {"notification.created"}, frames
    return frames


def _assert_silent(socket: ClientConnection) -> None:
    with pytest.raises(TimeoutError):
        socket.recv(timeout=SILENCE_SECONDS)


def _closed(socket: ClientConnection) -> tuple[int, str]:
    """The close code and reason, after any frames still on their way."""
    with pytest.raises(ConnectionClosed) as closed:
        _read_until_closed(socket)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


def _read_until_closed(socket: ClientConnection) -> None:
    while True:
        socket.recv(timeout=TIMEOUT_SECONDS)


def _create(user_id: uuid.UUID, count: int, *, body: str = "") -> list[Notification]:
    return [
        notification_create(user_id=user_id, kind="test", title=f"n{index}", body=body)
        for index in range(count)
    ]


def test_each_notification_frame_carries_the_users_next_sequence_number(
    asgi_server: str, make_token: MakeToken
) -> None:
    user_id = uuid.uuid4()
    _create(uuid.uuid4(), 2)  # another user's numbers are their own
    with _open(asgi_server, make_token(sub=user_id)) as socket:
        created = _create(user_id, 3)

        frames = _notifications(socket, 3)

    assert [frame["sequence"] for frame in frames] == [1, 2, 3]
    assert [frame["notification"]["sequence"] for frame in frames] == [1, 2, 3]
    assert [frame["notification"]["id"] for frame in frames] == [str(n.id) for n in created]


def test_a_reconnect_with_the_last_sequence_gets_exactly_what_it_missed_then_live_ones(
    asgi_server: str, make_token: MakeToken
) -> None:
    user_id = uuid.uuid4()
    token = make_token(sub=user_id)
    with _open(asgi_server, token) as socket:
        _create(user_id, 1)
        last = _notifications(socket, 1)[0]["sequence"]
    missed = _create(user_id, 5)

    with _open(asgi_server, token, since=last) as socket:
        resynced = _notifications(socket, 5)
        synced = _frame(socket)
        live = _create(user_id, 2)
        live_frames = _notifications(socket, 2)
        _assert_silent(socket)

    assert [frame["notification"]["id"] for frame in resynced] == [str(n.id) for n in missed]
    assert [frame["sequence"] for frame in resynced] == [2, 3, 4, 5, 6]
    assert synced == {"type": "synced", "sequence": 6}
    assert [frame["notification"]["id"] for frame in live_frames] == [str(n.id) for n in live]
    assert [frame["sequence"] for frame in live_frames] == [7, 8]


def test_a_reconnect_after_a_restart_of_the_service_gets_what_it_missed(
    transactional_db: None, jwks_server: JWKSServer, make_token: MakeToken
) -> None:
    user_id = uuid.uuid4()
    token = make_token(sub=user_id)
    with serving_notifications() as before, _open(websocket_url(before), token) as socket:
        _create(user_id, 1)
        last = _notifications(socket, 1)[0]["sequence"]
    missed = _create(user_id, 5)  # while no notifications process runs

    with serving_notifications() as after, _open(websocket_url(after), token, last) as socket:
        resynced = _notifications(socket, 5)
        assert _frame(socket)["type"] == "synced"
        live = _create(user_id, 1)
        live_frame = _notifications(socket, 1)[0]

    assert [frame["notification"]["id"] for frame in resynced] == [str(n.id) for n in missed]
    assert live_frame["notification"]["id"] == str(live[0].id)


def test_a_push_the_channel_layer_lost_is_read_from_the_database_before_the_next(
    asgi_server: str, make_token: MakeToken
) -> None:
    user_id = uuid.uuid4()
    with _open(asgi_server, make_token(sub=user_id)) as socket:
        with transaction.atomic():  # committed without any push, as if the push was lost
            lost = Notification.objects.create(
                user_id=user_id, sequence=_next_sequence(user_id=user_id), kind="t", title="lost"
            )
        pushed = _create(user_id, 1)

        frames = _notifications(socket, 2)
        _assert_silent(socket)

    assert [frame["notification"]["id"] for frame in frames] == [str(lost.id), str(pushed[0].id)]


def test_a_repeated_push_reaches_the_socket_once(asgi_server: str, make_token: MakeToken) -> None:
    user_id = uuid.uuid4()
    with _open(asgi_server, make_token(sub=user_id)) as socket:
        notification = _create(user_id, 1)[0]
        notification_created_push(notification=notification)

        frames = _notifications(socket, 1)
        _assert_silent(socket)

    assert frames[0]["notification"]["id"] == str(notification.id)


async def _connections_received() -> int:
    stats = await get_channel_layer().connection(0).info("stats")
    return int(stats["total_connections_received"])


def _layer_connections_received() -> int:
    return run_on_push_loop(_connections_received())


def test_pushes_from_a_thread_without_a_loop_reuse_the_channel_layers_connection(
    asgi_server: str, make_token: MakeToken
) -> None:
    user_id = uuid.uuid4()
    pushes = 30
    with _open(asgi_server, make_token(sub=user_id)) as socket:
        _create(user_id, 1)  # the push loop's connection is made here
        _notifications(socket, 1)
        before = _layer_connections_received()

        _create(user_id, pushes)  # this test's thread has no event loop, as a Celery worker's

        frames = _notifications(socket, pushes)
        after = _layer_connections_received()

    assert [frame["sequence"] for frame in frames] == list(range(2, pushes + 2))
    # A new connection per push was the bug; the Redis is shared, so allow some others'.
    assert after - before < pushes // 2


def test_a_dedup_key_repeat_takes_no_sequence_number(transactional_db: None) -> None:
    user_id = uuid.uuid4()
    first = notification_create(user_id=user_id, kind="welcome", title="Hi", dedup_key="w")
    again = notification_create(user_id=user_id, kind="welcome", title="Hi", dedup_key="w")
    after = _create(user_id, 1)[0]

    assert again.id == first.id
    assert (first.sequence, after.sequence) == (1, 2)


def test_an_unreadable_since_is_closed_with_4400(asgi_server: str, make_token: MakeToken) -> None:
    with connect(f"{asgi_server}?access_token={make_token()}&since=x") as socket:
        assert _closed(socket) == (CLOSE_BAD_REQUEST, "invalid_since")


def test_a_ping_is_answered_with_a_pong_and_the_last_sequence(
    asgi_server: str, make_token: MakeToken
) -> None:
    user_id = uuid.uuid4()
    _create(user_id, 2)
    with _open(asgi_server, make_token(sub=user_id)) as socket:
        socket.send(json.dumps({"type": "ping"}))

        assert _frame(socket) == {"type": "pong", "sequence": 2}


def test_the_server_sends_heartbeats(
    asgi_server: str, make_token: MakeToken, settings: Settings
) -> None:
    settings.WS_HEARTBEAT_SECONDS = 0.1
    with _open(asgi_server, make_token()) as socket:
        frames = [_frame(socket), _frame(socket)]

    assert frames == [{"type": "heartbeat", "sequence": 0}] * 2


def test_garbage_frames_are_answered_then_the_socket_is_closed_and_the_server_lives_on(
    asgi_server: str, make_token: MakeToken, settings: Settings
) -> None:
    settings.WS_MAX_BAD_FRAMES = 3
    user_id = uuid.uuid4()
    with _open(asgi_server, make_token()) as garbage:
        errors = []
        for bad in ("not json", b"\x00\xff", "[1, 2]"):
            garbage.send(bad)
            errors.append(_frame(garbage)["code"])
        garbage.send('{"type": 1}')
        closed = _closed(garbage)
    with _open(asgi_server, make_token(sub=user_id)) as healthy:
        notification = _create(user_id, 1)[0]
        delivered = _notifications(healthy, 1)[0]

    assert errors == ["unknown_message"] * 3
    assert closed == (CLOSE_POLICY_VIOLATION, "too_many_bad_frames")
    assert delivered["notification"]["id"] == str(notification.id)


def test_sockets_above_the_per_user_cap_are_closed_with_4429(
    asgi_server: str, make_token: MakeToken, settings: Settings
) -> None:
    settings.WS_MAX_SOCKETS_PER_USER = 2
    user_id = uuid.uuid4()
    with ExitStack() as stack:
        allowed = [stack.enter_context(_open(asgi_server, make_token(sub=user_id))) for _ in "ab"]
        refused = stack.enter_context(_open(asgi_server, make_token(sub=user_id)))
        other = stack.enter_context(_open(asgi_server, make_token()))
        refusal = _closed(refused)
        other.send(json.dumps({"type": "ping"}))
        pong = _frame(other)
        _create(user_id, 1)
        delivered = [_notifications(socket, 1)[0]["sequence"] for socket in allowed]

    assert refusal == (CLOSE_TOO_MANY_SOCKETS, "too_many_connections")
    assert pong["type"] == "pong"
    assert delivered == [1, 1]


def test_a_client_that_stops_reading_is_cut_instead_of_buffered(
    uvicorn_server: uvicorn.Server, make_token: MakeToken, settings: Settings
) -> None:
    settings.WS_SEND_QUEUE_FRAMES = 4
    url = websocket_url(uvicorn_server)
    metrics_url = url.replace("ws://", "http://").replace("/ws/notifications/", "/metrics")
    user_id = uuid.uuid4()
    baseline = _open_sockets(metrics_url)
    # A client that completes the handshake and then never reads again, with a tiny window.
    with _stalled_client(url, make_token(sub=user_id)) as stalled:
        _wait_for(lambda: _open_sockets(metrics_url) == baseline + 1)
        _create(user_id, 150, body="x" * 60_000)  # ~9 MB, far above every buffer

        _wait_for(lambda: _open_sockets(metrics_url) == baseline)
        stalled.settimeout(TIMEOUT_SECONDS)
        received = _drain(stalled)

    # Far less than the 9 MB: the server stopped writing to it.
    assert received < 150 * 60_000 // 2


@contextlib.contextmanager
def _stalled_client(url: str, token: str) -> Iterator[sockets.socket]:
    host, port = url.removeprefix("ws://").split("/")[0].split(":")
    raw = sockets.socket()
    raw.setsockopt(sockets.SOL_SOCKET, sockets.SO_RCVBUF, 4096)
    raw.connect((host, int(port)))
    raw.sendall(
        (
            f"GET /ws/notifications/?access_token={token} HTTP/1.1\r\nHost: {host}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:
        response += raw.recv(1)
    assert response.startswith(b"HTTP/1.1 101"), response
    with raw:
        yield raw


def _drain(raw: sockets.socket) -> int:
    """Bytes the server had sent until it closed the connection."""
    received = 0
    while chunk := raw.recv(65536):
        received += len(chunk)
    return received


def _open_sockets(metrics_url: str) -> float:
    value = scrape(metrics_url).value(
        "notifications_websocket_connections", service="notifications"
    )
    return value or 0.0


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS * 2
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
