import uuid
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/notifications/webhooks/"
AuthedClient = Callable[..., APIClient]


def test_a_reader_cannot_register_a_webhook(authed_client: AuthedClient) -> None:
    response = authed_client(roles=("reader",)).post(
        LIST_URL, {"url": "https://example.com/h", "event_types": ["x"]}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_an_author_registers_an_endpoint_and_sees_its_secret_once(
    authed_client: AuthedClient,
) -> None:
    client = authed_client(uuid.uuid4(), roles=("author",))

    created = client.post(
        LIST_URL, {"url": "https://example.com/h", "event_types": ["a", "a"]}, format="json"
    )
    listed = client.get(LIST_URL)
    rotated = client.post(f"{LIST_URL}{created.json()['id']}/rotate-secret/")
    deleted = client.delete(f"{LIST_URL}{created.json()['id']}/")

    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    assert created.json()["secret"].startswith("whsec_")
    assert created.json()["event_types"] == ["a"]
    assert [item["id"] for item in listed.json()] == [created.json()["id"]]
    assert "secret" not in listed.json()[0]
    assert rotated.status_code == 200
    assert rotated.json()["secret"] not in (created.json()["secret"], "")
    assert deleted.status_code == 204
    assert client.get(LIST_URL).json() == []


def test_another_users_endpoint_is_not_found(authed_client: AuthedClient) -> None:
    owner = authed_client(uuid.uuid4(), roles=("author",))
    created = owner.post(
        LIST_URL, {"url": "https://example.com/h", "event_types": ["a"]}, format="json"
    )

    response = authed_client(uuid.uuid4(), roles=("author",)).delete(
        f"{LIST_URL}{created.json()['id']}/"
    )

    assert response.status_code == 404
