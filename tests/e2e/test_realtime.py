"""Real-time notifications through the gateway: tickets, sequence numbers and resync."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from gateway_client import API, items, register_and_login
from mqtt_device import device_of
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

pytestmark = pytest.mark.e2e

TIMEOUT_S = 10
WELCOME_TIMEOUT_S = 20.0


def ws_ticket(client: httpx.Client, headers: dict[str, str]) -> str:
    response = client.post(f"{API}/notifications/ws-ticket/", headers=headers)
    assert response.status_code == 201, response.text
    ticket: str = response.json()["ticket"]
    return ticket


def test_a_browser_opens_its_socket_with_a_single_use_ticket(
    client: httpx.Client, stack: str, reader: tuple[dict[str, Any], dict[str, str]]
) -> None:
    url = stack.replace("http://", "ws://") + "/ws/notifications/"
    ticket = ws_ticket(client, reader[1])

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
        f"{url}?since=0&ticket={ws_ticket(client, headers)}", open_timeout=TIMEOUT_S
    ) as socket:
        missed = json.loads(socket.recv(timeout=TIMEOUT_S))
        synced = json.loads(socket.recv(timeout=TIMEOUT_S))

    assert inbox[0]["sequence"] == 1
    assert (missed["type"], missed["sequence"]) == ("notification.created", 1)
    assert missed["notification"]["id"] == inbox[0]["id"]
    assert synced == {"type": "synced", "sequence": 1}


def test_a_reconnect_with_the_last_sequence_gets_exactly_the_missed_ones_then_live_ones(
    client: httpx.Client, stack: str
) -> None:
    user, headers = register_and_login(client, "reconnect")
    url = stack.replace("http://", "ws://") + "/ws/notifications/"
    deadline = time.monotonic() + WELCOME_TIMEOUT_S
    while not items(client.get(f"{API}/notifications/", headers=headers).json()):
        assert time.monotonic() < deadline, "no welcome notification within 20 s"
        time.sleep(0.25)
    with connect(f"{url}?since=0&ticket={ws_ticket(client, headers)}", open_timeout=TIMEOUT_S) as s:
        last = json.loads(s.recv(timeout=TIMEOUT_S))["sequence"]
    topic = f"devices/{user['id']}/sensor"

    with device_of(user["id"]) as device:
        # Created while no socket is open: through MQTT, as a device would.
        for index in range(5):
            device.publish(topic, {"id": f"missed-{index}", "title": f"missed {index}"})
        while len(items(client.get(f"{API}/notifications/", headers=headers).json())) < 6:
            assert time.monotonic() < deadline + TIMEOUT_S, "the missed messages never arrived"
            time.sleep(0.1)
        with connect(
            f"{url}?since={last}&ticket={ws_ticket(client, headers)}", open_timeout=TIMEOUT_S
        ) as socket:
            missed = [json.loads(socket.recv(timeout=TIMEOUT_S)) for _ in range(5)]
            synced = json.loads(socket.recv(timeout=TIMEOUT_S))
            device.publish(topic, {"id": "live", "title": "live"})
            live = json.loads(socket.recv(timeout=TIMEOUT_S))

    assert [frame["notification"]["title"] for frame in missed] == [
        f"missed {index}" for index in range(5)
    ]
    assert [frame["sequence"] for frame in missed] == list(range(last + 1, last + 6))
    assert synced == {"type": "synced", "sequence": last + 5}
    assert (live["sequence"], live["notification"]["title"]) == (last + 6, "live")
