"""The README scenario and issue #3's bad-input list, end to end through the gateway."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from gateway_client import (
    API,
    PASSWORD,
    assert_problem,
    create_article,
    items,
    register_and_login,
)
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from platform_common.auth.signing import sign_access_token

pytestmark = pytest.mark.e2e

ISSUER = "http://accounts.platform.local"
AUDIENCE = "platform"
WELCOME_TIMEOUT_S = 20.0


def test_readme_scenario(client: httpx.Client) -> None:
    user, headers = register_and_login(client, "carol", roles=("author",))

    me = client.get(f"{API}/accounts/me/", headers=headers)
    assert me.status_code == 200, me.text
    assert me.json()["id"] == user["id"]
    assert "author" in me.json()["roles"], me.json()

    article = create_article(client, headers, "published")
    read_back = client.get(f"{API}/content/articles/{article['id']}/")
    assert read_back.status_code == 200, read_back.text
    assert read_back.json()["title"] == article["title"]

    deadline = time.monotonic() + WELCOME_TIMEOUT_S
    welcome: list[dict[str, Any]] = []
    while not welcome:
        inbox = client.get(f"{API}/notifications/", headers=headers)
        assert inbox.status_code == 200, inbox.text
        welcome = [n for n in items(inbox.json()) if n["kind"] == "welcome"]
        if not welcome:
            assert time.monotonic() < deadline, "no welcome notification within 20 s"
            time.sleep(0.25)
    assert len(welcome) == 1, welcome
    assert welcome[0]["read_at"] is None

    marked = client.post(f"{API}/notifications/{welcome[0]['id']}/read/", headers=headers)
    assert marked.status_code == 200, marked.text
    assert marked.json()["read_at"] is not None


def test_malformed_json(client: httpx.Client) -> None:
    response = client.post(
        f"{API}/accounts/register/",
        content=b'{"email": "x@example.com", "password": ',
        headers={"Content-Type": "application/json"},
    )
    assert_problem(response, 400, "malformed_json")


def test_unknown_fields(client: httpx.Client) -> None:
    response = client.post(
        f"{API}/accounts/register/",
        json={
            "email": f"u-{uuid.uuid4().hex[:8]}@example.com",
            "password": PASSWORD,
            "display_name": "U",
            "is_superuser": True,
        },
    )
    problem = assert_problem(response, 400, "unknown_field")
    assert [e["field"] for e in problem["errors"]] == ["is_superuser"], problem


def test_wrong_types(client: httpx.Client, author: dict[str, str]) -> None:
    response = client.post(
        f"{API}/content/articles/",
        json={"title": ["not", "a", "string"], "body": "Text."},
        headers=author,
    )
    problem = assert_problem(response, 400, "validation_error")
    assert "title" in {e["field"] for e in problem["errors"]}, problem


def test_a_reader_may_not_write_articles(
    client: httpx.Client, reader: tuple[dict[str, Any], dict[str, str]]
) -> None:
    _, headers = reader
    response = client.post(
        f"{API}/content/articles/", json={"title": "Mine", "body": "Text."}, headers=headers
    )
    assert_problem(response, 403, "permission_denied")


def test_missing_auth(client: httpx.Client) -> None:
    assert_problem(client.get(f"{API}/accounts/me/"), 401, "not_authenticated")
    assert_problem(client.get(f"{API}/notifications/"), 401, "not_authenticated")


def signing_key(repo_root: Path) -> tuple[str, bytes]:
    """A dev signing key of accounts (kid, PEM), as `generate_dev_keys` wrote it."""
    keys = sorted((repo_root / ".local" / "keys").glob("*.pem"))
    assert keys, "no dev signing keys under .local/keys (dev/bin/prepare makes them)"
    return keys[-1].stem, keys[-1].read_bytes()


def token(private_key: rsa.RSAPrivateKey, kid: str, *, sub: str, expires_in: timedelta) -> str:
    issued_at = datetime.now(UTC) - timedelta(hours=1)
    return sign_access_token(
        private_key=private_key,
        kid=kid,
        issuer=ISSUER,
        audience=AUDIENCE,
        subject=sub,
        roles=(),
        issued_at=issued_at,
        lifetime=datetime.now(UTC) + expires_in - issued_at,
    )


def test_expired_token(
    client: httpx.Client, repo_root: Path, reader: tuple[dict[str, Any], dict[str, str]]
) -> None:
    user, _ = reader
    kid, pem = signing_key(repo_root)
    private_key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(private_key, rsa.RSAPrivateKey)
    expired = token(private_key, kid, sub=user["id"], expires_in=timedelta(minutes=-5))
    response = client.get(f"{API}/accounts/me/", headers={"Authorization": f"Bearer {expired}"})
    assert_problem(response, 401, "token_expired")


def test_forged_token(
    client: httpx.Client, repo_root: Path, reader: tuple[dict[str, Any], dict[str, str]]
) -> None:
    user, _ = reader
    kid, _ = signing_key(repo_root)
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = token(impostor, kid, sub=user["id"], expires_in=timedelta(minutes=5))
    response = client.get(f"{API}/accounts/me/", headers={"Authorization": f"Bearer {forged}"})
    assert_problem(response, 401, "invalid_token")


def test_another_users_articles(
    client: httpx.Client, author: dict[str, str], intruder: dict[str, str]
) -> None:
    published = create_article(client, author, "published")
    draft = create_article(client, author, "draft")

    edit = {"title": "Taken over"}
    response = client.patch(
        f"{API}/content/articles/{published['id']}/", json=edit, headers=intruder
    )
    assert_problem(response, 403, "permission_denied")
    response = client.patch(f"{API}/content/articles/{draft['id']}/", json=edit, headers=intruder)
    assert_problem(response, 404, "not_found")
    response = client.get(f"{API}/content/articles/{draft['id']}/", headers=intruder)
    assert_problem(response, 404, "not_found")

    unchanged = client.get(f"{API}/content/articles/{published['id']}/")
    assert unchanged.json()["title"] == published["title"]


def test_oversized_body(client: httpx.Client, author: dict[str, str]) -> None:
    body = "x" * (1024 * 1024 + 1)
    response = client.post(
        f"{API}/content/articles/",
        json={"title": "Too long", "body": body, "status": "draft"},
        headers=author,
    )
    assert_problem(response, 413, "payload_too_large")


@pytest.mark.parametrize("path", ["/no/such/route", f"{API}/nowhere/"])
def test_unknown_route(client: httpx.Client, path: str) -> None:
    assert_problem(client.get(path), 404, "not_found")


@pytest.mark.parametrize(
    "path", ["/no/such/route", f"{API}/accounts/nowhere/", f"{API}/content/nowhere/"]
)
def test_unknown_route_signed_in(
    client: httpx.Client, reader: tuple[dict[str, Any], dict[str, str]], path: str
) -> None:
    # Under a service's prefix the gateway asks for a token first; with one, the service's 404.
    _, headers = reader
    assert_problem(client.get(path, headers=headers), 404, "not_found")


def test_notifications_websocket_through_the_gateway(
    stack: str, reader: tuple[dict[str, Any], dict[str, str]]
) -> None:
    token = reader[1]["Authorization"].removeprefix("Bearer ")
    url = stack.replace("http://", "ws://") + "/ws/notifications/"
    bearer = [Subprotocol("bearer"), Subprotocol(token)]

    with connect(url, subprotocols=bearer, open_timeout=10) as socket:
        socket.send(json.dumps({"type": "ping"}))
        frame = json.loads(socket.recv(timeout=10))
        accepted_with = socket.subprotocol
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{url}?access_token=forged", open_timeout=10)

    assert accepted_with == "bearer"
    assert frame["type"] == "pong"
    assert refused.value.response.status_code == 401
