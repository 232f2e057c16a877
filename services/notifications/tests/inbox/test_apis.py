import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpResponse
from rest_framework.test import APIClient

from notifications.inbox.models import Notification
from notifications.inbox.services import notification_create, notification_mark_read
from platform_common.testing.jwt import (
    TEST_AUDIENCE,
    TEST_ISSUER,
    MakeToken,
    SigningKey,
    sign_token,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/notifications/"
READ_ALL_URL = "/api/v1/notifications/read-all/"
UNREAD_COUNT_URL = "/api/v1/notifications/unread-count/"
AuthedClient = Callable[..., APIClient]


def read_url(notification_id: uuid.UUID) -> str:
    return f"/api/v1/notifications/{notification_id}/read/"


def detail_url(notification_id: uuid.UUID) -> str:
    return f"/api/v1/notifications/{notification_id}/"


def _create(user_id: uuid.UUID, title: str = "Hi") -> Notification:
    return notification_create(user_id=user_id, kind="welcome", title=title)


def _problem(response: HttpResponse) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/problem+json")
    body: dict[str, Any] = json.loads(response.content)
    return body


def test_list_returns_only_the_callers_notifications_newest_first(
    authed_client: AuthedClient,
) -> None:
    user_id = uuid.uuid4()
    older = _create(user_id, "older")
    newer = _create(user_id, "newer")
    _create(uuid.uuid4(), "someone else's")

    response = authed_client(user_id).get(LIST_URL)

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [str(newer.id), str(older.id)]


def test_list_item_shape(authed_client: AuthedClient) -> None:
    user_id = uuid.uuid4()
    notification = notification_create(
        user_id=user_id, kind="welcome", title="Hi", body="Hello", data={"a": 1}
    )

    item = authed_client(user_id).get(LIST_URL).json()["results"][0]

    assert item == {
        "id": str(notification.id),
        "sequence": 1,
        "kind": "welcome",
        "title": "Hi",
        "body": "Hello",
        "data": {"a": 1},
        "link": "",
        "read_at": None,
        "created_at": item["created_at"],
    }
    assert item["created_at"] is not None


def test_list_pages_with_a_cursor(authed_client: AuthedClient) -> None:
    user_id = uuid.uuid4()
    created = [_create(user_id, f"n{index}") for index in range(3)]
    client = authed_client(user_id)

    first = client.get(LIST_URL, {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    seen = [item["id"] for item in first["results"] + second["results"]]
    assert seen == [str(notification.id) for notification in reversed(created)]
    assert second["next"] is None


@pytest.mark.parametrize(("unread", "expected_titles"), [("true", ["new"]), ("false", ["old"])])
def test_list_filters_by_unread(
    authed_client: AuthedClient, unread: str, expected_titles: list[str]
) -> None:
    user_id = uuid.uuid4()
    old = _create(user_id, "old")
    notification_mark_read(user_id=user_id, notification_id=old.id)
    _create(user_id, "new")

    response = authed_client(user_id).get(LIST_URL, {"unread": unread})

    assert [item["title"] for item in response.json()["results"]] == expected_titles


@pytest.mark.parametrize(("name", "value"), [("unread", "maybe"), ("cursor", ";")])
def test_list_rejects_a_malformed_parameter_with_a_400(
    authed_client: AuthedClient, name: str, value: str
) -> None:
    response = authed_client().get(LIST_URL, {name: value})

    assert response.status_code == 400
    problem = _problem(response)
    assert problem["code"] == "validation_error"
    assert [error["field"] for error in problem["errors"]] == [name]


def test_mark_read_marks_the_callers_notification(authed_client: AuthedClient) -> None:
    user_id = uuid.uuid4()
    notification = _create(user_id)

    response = authed_client(user_id).post(read_url(notification.id), format="json")

    assert response.status_code == 200
    assert response.json()["id"] == str(notification.id)
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert response.json()["read_at"] is not None


def test_mark_read_twice_keeps_the_first_read_time(authed_client: AuthedClient) -> None:
    user_id = uuid.uuid4()
    notification = _create(user_id)
    client = authed_client(user_id)
    first = client.post(read_url(notification.id), format="json").json()

    again = client.post(read_url(notification.id), format="json")

    assert again.status_code == 200
    assert again.json()["read_at"] == first["read_at"]


def test_mark_read_of_another_users_notification_is_not_found(
    authed_client: AuthedClient,
) -> None:
    notification = _create(uuid.uuid4())

    response = authed_client().post(read_url(notification.id), format="json")

    assert response.status_code == 404
    assert _problem(response)["code"] == "not_found"
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_read_of_a_missing_notification_is_not_found(authed_client: AuthedClient) -> None:
    response = authed_client().post(read_url(uuid.uuid4()), format="json")

    assert response.status_code == 404
    assert _problem(response)["code"] == "not_found"


def test_mark_read_rejects_unknown_fields(authed_client: AuthedClient) -> None:
    user_id = uuid.uuid4()
    notification = _create(user_id)

    response = authed_client(user_id).post(read_url(notification.id), {"read": True}, format="json")

    assert response.status_code == 400
    assert _problem(response)["code"] == "unknown_field"
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_read_rejects_malformed_json(authed_client: AuthedClient) -> None:
    notification = _create(uuid.uuid4())

    response = authed_client().post(
        read_url(notification.id), data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert _problem(response)["code"] == "malformed_json"


def test_mark_all_read_reports_how_many_changed(authed_client: AuthedClient) -> None:
    user_id = uuid.uuid4()
    _create(user_id)
    _create(user_id)
    theirs = _create(uuid.uuid4())

    response = authed_client(user_id).post(READ_ALL_URL, format="json")

    assert response.status_code == 200
    assert response.json() == {"updated": 2}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_missing_token_is_401_problem(api_client: APIClient, jwks_server: object) -> None:
    response = api_client.get(LIST_URL)

    assert response.status_code == 401
    assert _problem(response)["code"] == "not_authenticated"


def test_a_token_signed_by_another_key_is_401_problem(
    api_client: APIClient, jwks_server: object
) -> None:
    forger = SigningKey.generate(kid="test-key-1")
    token = sign_token(forger, issuer=TEST_ISSUER, audience=TEST_AUDIENCE)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = api_client.get(LIST_URL)

    assert response.status_code == 401
    assert _problem(response)["code"] == "invalid_token"


def test_an_expired_token_is_401_problem(api_client: APIClient, make_token: MakeToken) -> None:
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(exp_delta=-3600)}")

    response = api_client.get(LIST_URL)

    assert response.status_code == 401
    assert _problem(response)["code"] == "token_expired"


def test_the_schema_is_public(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/notifications/schema/")

    assert response.status_code == 200
    assert "/api/v1/notifications/read-all/" in response.content.decode()


def test_an_unknown_path_is_404_problem(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/notifications/no/such/path/")

    assert response.status_code == 404
    assert _problem(response)["code"] == "not_found"


def test_list_item_carries_its_link(authed_client: AuthedClient) -> None:
    user_id = uuid.uuid4()
    notification_create(user_id=user_id, kind="article_published", title="New", link="/a/x")

    item = authed_client(user_id).get(LIST_URL).json()["results"][0]

    assert item["link"] == "/a/x"


def test_unread_count_counts_only_the_callers_unread(authed_client: AuthedClient) -> None:
    user_id = uuid.uuid4()
    read = _create(user_id)
    notification_mark_read(user_id=user_id, notification_id=read.id)
    _create(user_id)
    _create(user_id)
    _create(uuid.uuid4())

    response = authed_client(user_id).get(UNREAD_COUNT_URL)

    assert response.status_code == 200
    assert response.json() == {"unread": 2}


def test_delete_removes_the_callers_notification(authed_client: AuthedClient) -> None:
    user_id = uuid.uuid4()
    notification = _create(user_id)

    response = authed_client(user_id).delete(detail_url(notification.id))

    assert response.status_code == 204
    assert not Notification.objects.filter(pk=notification.id).exists()


def test_delete_of_another_users_notification_is_not_found(authed_client: AuthedClient) -> None:
    notification = _create(uuid.uuid4())

    response = authed_client().delete(detail_url(notification.id))

    assert response.status_code == 404
    assert _problem(response)["code"] == "not_found"
    assert Notification.objects.filter(pk=notification.id).exists()
