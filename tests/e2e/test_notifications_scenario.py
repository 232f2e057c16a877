"""Notifications on every channel, end to end through the gateway: A follows B, B publishes
an article; A's open socket, inbox, mailbox (in A's locale) and MQTT topic all get it, and a
message of A's device on MQTT reaches A's socket."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from gateway_client import API, create_article, editor_headers, items, register_and_login, with_role
from mail_sink import mail_to, text_of
from mqtt_device import device_of
from test_realtime import ws_ticket
from websockets.sync.client import ClientConnection, connect

pytestmark = pytest.mark.e2e

# The issue's promise: an article reaches its followers' open sockets within a second.
SOCKET_DEADLINE_S = 1.0
PROJECTION_DEADLINE_S = 30.0
TIMEOUT_S = 10.0
NOTIFICATIONS_DB = "postgresql://postgres@127.0.0.1:5432/notifications"


def wait_for(what: str, condition: Any) -> Any:
    """``condition()``'s first truthy answer, polled for up to PROJECTION_DEADLINE_S."""
    deadline = time.monotonic() + PROJECTION_DEADLINE_S
    while not (answer := condition()):
        assert time.monotonic() < deadline, f"{what}: not within {PROJECTION_DEADLINE_S:.0f} s"
        time.sleep(0.2)
    return answer


def contact_locale(user_id: str) -> str | None:
    """The locale notifications' contact projection holds for the user (what mails use)."""
    with psycopg.connect(NOTIFICATIONS_DB) as db:
        row = db.execute(
            "select locale from delivery_contact where user_id = %s", (user_id,)
        ).fetchone()
    return None if row is None else str(row[0])


def notification_frame(socket: ClientConnection, kind: str, timeout: float) -> dict[str, Any]:
    """The next ``notification.created`` frame of ``kind`` (others are skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        frame: dict[str, Any] = json.loads(socket.recv(timeout=deadline - time.monotonic()))
        if frame["type"] == "notification.created" and frame["notification"]["kind"] == kind:
            return frame


def test_an_article_reaches_a_follower_on_every_channel_and_a_device_reaches_the_socket(
    client: httpx.Client, stack: str, repo_root: Path
) -> None:
    reader, reader_headers = register_and_login(client, "follower")
    author, _ = register_and_login(client, "followed")
    author_headers = with_role(client, author, "author")
    localised = client.patch(
        f"{API}/accounts/me/profile/", json={"locale": "de"}, headers=reader_headers
    )
    assert localised.status_code == 200, localised.text
    preferences = client.patch(
        f"{API}/notifications/preferences/",
        json={"channels": {"article_published": {"mqtt": True}}},
        headers=reader_headers,
    )
    assert preferences.status_code == 200, preferences.text
    followed = client.post(
        f"{API}/notifications/subscriptions/",
        json={"target_type": "author", "target_id": author["id"]},
        headers=reader_headers,
    )
    assert followed.status_code == 201, followed.text
    wait_for("the locale in notifications", lambda: contact_locale(reader["id"]) == "de")
    article = create_article(client, author_headers, "draft")
    submitted = client.post(
        f"{API}/content/articles/{article['id']}/submit/", json={}, headers=author_headers
    )
    assert submitted.status_code == 200, submitted.text
    url = stack.replace("http://", "ws://") + "/ws/notifications/"
    topic = f"users/{reader['id']}/notifications"

    with (
        connect(
            f"{url}?ticket={ws_ticket(client, reader_headers)}", open_timeout=TIMEOUT_S
        ) as socket,
        device_of(reader["id"]) as device,
    ):
        device.subscribe(topic)
        published = client.post(
            f"{API}/content/articles/{article['id']}/publish/",
            json={},
            headers=editor_headers(client),
        )
        assert published.status_code == 200, published.text
        frame = notification_frame(socket, "article_published", SOCKET_DEADLINE_S)
        mqtt_message = device.message()
        device.publish(f"devices/{reader['id']}/thermostat", {"title": "Heating on"})
        device_frame = notification_frame(socket, "device_message", TIMEOUT_S)

    notification = frame["notification"]
    assert notification["data"]["article_id"] == article["id"]
    inbox = items(client.get(f"{API}/notifications/", headers=reader_headers).json())
    assert notification["id"] in [item["id"] for item in inbox]
    assert (mqtt_message["kind"], mqtt_message["data"]["article_id"]) == (
        "article_published",
        article["id"],
    )
    mail = mail_to(repo_root / ".local" / "mail", reader["email"], containing=article["title"])
    assert mail["Subject"] == f"Neuer Artikel: {article['title']}"
    assert "veröffentlicht" in text_of(mail)
    assert device_frame["notification"]["title"] == "Heating on"
    assert device_frame["notification"]["data"]["topic"] == f"devices/{reader['id']}/thermostat"
