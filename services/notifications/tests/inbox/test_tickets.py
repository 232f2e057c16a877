import json
import logging
import time
import uuid
from typing import Any

import pytest
from pytest_django import Settings
from rest_framework.test import APIClient
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from notifications.inbox.services import notification_create
from notifications.inbox.socket_auth import CLOSE_UNAUTHENTICATED, INVALID_TICKET
from platform_common.testing.jwt import MakeToken

TICKET_URL = "/api/v1/notifications/ws-ticket/"
TIMEOUT_SECONDS = 5


def _ticket(make_token: MakeToken, user_id: uuid.UUID) -> dict[str, Any]:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(sub=user_id)}")
    response = client.post(TICKET_URL)
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "no-store"
    body: dict[str, Any] = response.json()
    return body


def _open(url: str, ticket: str) -> ClientConnection:
    return connect(f"{url}?ticket={ticket}", open_timeout=TIMEOUT_SECONDS)


def _close_code_and_reason(socket: ClientConnection) -> tuple[int, str]:
    with pytest.raises(ConnectionClosed) as closed:
        socket.recv(timeout=TIMEOUT_SECONDS)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


def test_a_ticket_opens_the_socket_of_the_user_who_asked_for_it(
    asgi_server: str, make_token: MakeToken
) -> None:
    user_id = uuid.uuid4()
    issued = _ticket(make_token, user_id)

    with _open(asgi_server, issued["ticket"]) as socket:
        notification = notification_create(user_id=user_id, kind="welcome", title="Hi")
        frame = json.loads(socket.recv(timeout=TIMEOUT_SECONDS))

    assert issued["expires_in"] == 30
    assert frame["notification"]["id"] == str(notification.id)


def test_a_used_ticket_is_refused_with_4401(asgi_server: str, make_token: MakeToken) -> None:
    ticket = _ticket(make_token, uuid.uuid4())["ticket"]
    with _open(asgi_server, ticket) as first:
        first.send("ping")
        first.recv(timeout=TIMEOUT_SECONDS)  # the first handshake is through

    with _open(asgi_server, ticket) as second:
        closed = _close_code_and_reason(second)

    assert closed == (CLOSE_UNAUTHENTICATED, INVALID_TICKET)


def test_an_unknown_ticket_is_refused_with_4401(asgi_server: str) -> None:
    with _open(asgi_server, "made-up") as socket:
        closed = _close_code_and_reason(socket)

    assert closed == (CLOSE_UNAUTHENTICATED, INVALID_TICKET)


def test_an_expired_ticket_is_refused_with_4401(
    asgi_server: str, make_token: MakeToken, settings: Settings
) -> None:
    settings.WS_TICKET_TTL_SECONDS = 1
    ticket = _ticket(make_token, uuid.uuid4())["ticket"]
    time.sleep(1.5)

    with _open(asgi_server, ticket) as socket:
        closed = _close_code_and_reason(socket)

    assert closed == (CLOSE_UNAUTHENTICATED, INVALID_TICKET)


def test_a_ticket_wins_over_a_token_in_the_same_handshake(
    asgi_server: str, make_token: MakeToken
) -> None:
    url = f"{asgi_server}?ticket=made-up&access_token={make_token()}"
    with connect(url, open_timeout=TIMEOUT_SECONDS) as socket:
        closed = _close_code_and_reason(socket)

    assert closed == (CLOSE_UNAUTHENTICATED, INVALID_TICKET)


def test_the_ticket_never_reaches_the_logs(
    asgi_server: str, make_token: MakeToken, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.error")
    ticket = _ticket(make_token, uuid.uuid4())["ticket"]

    with _open(asgi_server, ticket) as socket:
        socket.send("ping")
        socket.recv(timeout=TIMEOUT_SECONDS)

    assert '"WebSocket /ws/notifications/' in caplog.text
    assert ticket not in caplog.text


@pytest.mark.django_db
def test_asking_for_a_ticket_needs_a_token() -> None:
    response = APIClient().post(TICKET_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
