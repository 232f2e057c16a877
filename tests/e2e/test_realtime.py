"""Real-time notifications through the gateway: tickets, sequence numbers and resync."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from gateway_client import API, items, register_and_login
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

pytestmark = pytest.mark.e2e

TIMEOUT_S = 10
WELCOME_TIMEOUT_S = 20.0


def _ticket(client: httpx.Client, headers: dict[str, str]) -> str:
    response = client.post(f"{API}/notifications/ws-ticket/", headers=headers)
    assert response.status_code == 201, response.text
    ticket: str = response.json()["ticket"]
    return ticket


def test_a_browser_opens_its_socket_with_a_single_use_ticket(
    client: httpx.Client, stack: str, reader: tuple[dict[str, Any], dict[str, str]]
) -> None:
    url = stack.replace("http://", "ws://") + "/ws/notifications/"
    ticket = _ticket(client, reader[1])

    with connect(f"{url}?ticket={ticket}", open_timeout=TIMEOUT_S) as socket:
        socket.send(json.dumps({"type": "ping"}))
        frame = json.loads(socket.recv(timeout=TIMEOUT_S))
    with (
        connect(f"{url}?ticket={ticket}", open_timeout=TIMEOUT_S) as reused,
        pytest.raises(ConnectionClosed) as closed,
    ):
        reused.recv(timeout=TIMEOUT_S)

    assert frame["type"] == "pong"
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, "invalid_ticket")


def test_a_reconnecting_socket_receives_what_it_missed_then_is_synced(
    client: httpx.Client, stack: str
) -> None:
    # A new user's welcome is their notification number 1, created while no socket was open.
    _, headers = register_and_login(client, "resync")
    deadline = time.monotonic() + WELCOME_TIMEOUT_S
    while not (inbox := items(client.get(f"{API}/notifications/", headers=headers).json())):
        assert time.monotonic() < deadline, "no welcome notification within 20 s"
        time.sleep(0.25)
    url = stack.replace("http://", "ws://") + "/ws/notifications/"

    with connect(
        f"{url}?since=0&ticket={_ticket(client, headers)}", open_timeout=TIMEOUT_S
    ) as socket:
        missed = json.loads(socket.recv(timeout=TIMEOUT_S))
        synced = json.loads(socket.recv(timeout=TIMEOUT_S))

    assert inbox[0]["sequence"] == 1
    assert (missed["type"], missed["sequence"]) == ("notification.created", 1)
    assert missed["notification"]["id"] == inbox[0]["id"]
    assert synced == {"type": "synced", "sequence": 1}
