"""Real-time notifications through the gateway: tickets, sequence numbers and resync."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from gateway_client import API
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

pytestmark = pytest.mark.e2e

TIMEOUT_S = 10


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
        socket.send(json.dumps({"type": "subscribe"}))
        frame = json.loads(socket.recv(timeout=TIMEOUT_S))
    with (
        connect(f"{url}?ticket={ticket}", open_timeout=TIMEOUT_S) as reused,
        pytest.raises(ConnectionClosed) as closed,
    ):
        reused.recv(timeout=TIMEOUT_S)

    assert (frame["type"], frame["code"]) == ("error", "unknown_message")
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, "invalid_ticket")
