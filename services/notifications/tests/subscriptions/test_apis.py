"""The subscriptions API: follow an author, a category, an article; editors the review queue."""

import uuid
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from notifications.subscriptions.models import Subscription

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/subscriptions/"
SUBMISSIONS_URL = f"{URL}submissions/"
AuthedClient = Callable[..., APIClient]


@pytest.mark.parametrize("target_type", ["author", "category", "article"])
def test_create_follows_a_target(authed_client: AuthedClient, target_type: str) -> None:
    user_id = uuid.uuid4()
    target_id = uuid.uuid4()

    response = authed_client(user_id).post(
        URL, {"target_type": target_type, "target_id": str(target_id)}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["target_type"], body["target_id"]) == (target_type, str(target_id))
    assert Subscription.objects.filter(
        user_id=user_id, target_type=target_type, target_id=target_id
    ).exists()


def test_following_twice_is_a_conflict(authed_client: AuthedClient) -> None:
    client = authed_client(uuid.uuid4())
    body = {"target_type": "author", "target_id": str(uuid.uuid4())}
    client.post(URL, body, format="json")

    response = client.post(URL, body, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "already_subscribed"


def test_following_yourself_is_refused(authed_client: AuthedClient) -> None:
    user_id = uuid.uuid4()

    response = authed_client(user_id).post(
        URL, {"target_type": "author", "target_id": str(user_id)}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "cannot_follow_self"
    assert not Subscription.objects.filter(user_id=user_id).exists()


@pytest.mark.parametrize(
    "body",
    [
        {"target_type": "category"},
        {"target_type": "author", "target_id": False},
        {"target_type": "submissions", "target_id": "00000000-0000-0000-0000-000000000001"},
    ],
)
def test_a_malformed_target_is_refused(
    authed_client: AuthedClient, body: dict[str, object]
) -> None:
    response = authed_client().post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_an_editor_follows_the_review_queue_once(authed_client: AuthedClient) -> None:
    client = authed_client(uuid.uuid4(), roles=("editor",))

    first = client.post(SUBMISSIONS_URL, format="json")
    again = client.post(SUBMISSIONS_URL, format="json")

    assert first.status_code == 201
    assert first.json()["target_id"] is None
    assert again.status_code == 409


def test_a_reader_cannot_follow_the_review_queue(authed_client: AuthedClient) -> None:
    response = authed_client(roles=("reader",)).post(SUBMISSIONS_URL, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "editors_only"


def test_list_shows_only_the_callers_subscriptions_by_type(authed_client: AuthedClient) -> None:
    user_id = uuid.uuid4()
    client = authed_client(user_id)
    author = client.post(
        URL, {"target_type": "author", "target_id": str(uuid.uuid4())}, format="json"
    ).json()
    client.post(URL, {"target_type": "category", "target_id": str(uuid.uuid4())}, format="json")
    authed_client().post(
        URL, {"target_type": "author", "target_id": str(uuid.uuid4())}, format="json"
    )

    everything = client.get(URL).json()["results"]
    authors = client.get(URL, {"target_type": "author"}).json()["results"]

    assert len(everything) == 2
    assert [item["id"] for item in authors] == [author["id"]]


def test_delete_unfollows(authed_client: AuthedClient) -> None:
    user_id = uuid.uuid4()
    client = authed_client(user_id)
    created = client.post(
        URL, {"target_type": "article", "target_id": str(uuid.uuid4())}, format="json"
    ).json()

    response = client.delete(f"{URL}{created['id']}/")

    assert response.status_code == 204
    assert not Subscription.objects.filter(pk=created["id"]).exists()


def test_delete_of_another_users_subscription_is_not_found(authed_client: AuthedClient) -> None:
    created = (
        authed_client()
        .post(URL, {"target_type": "article", "target_id": str(uuid.uuid4())}, format="json")
        .json()
    )

    response = authed_client().delete(f"{URL}{created['id']}/")

    assert response.status_code == 404
    assert Subscription.objects.filter(pk=created["id"]).exists()
