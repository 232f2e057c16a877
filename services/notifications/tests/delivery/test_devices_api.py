"""The push devices API: a user's devices, registered once each, never another user's."""

import uuid
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from notifications.delivery.models import PushDevice

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/devices/"
AuthedClient = Callable[..., APIClient]


def test_register_lists_the_device(authed_client: AuthedClient) -> None:
    user_id = uuid.uuid4()
    client = authed_client(user_id)

    created = client.post(URL, {"platform": "ios", "token": "apns-1"}, format="json")
    listed = client.get(URL)

    assert created.status_code == 201
    assert (created.json()["platform"], created.json()["token"]) == ("ios", "apns-1")
    assert [item["id"] for item in listed.json()["results"]] == [created.json()["id"]]


def test_registering_again_is_idempotent(authed_client: AuthedClient) -> None:
    user_id = uuid.uuid4()
    client = authed_client(user_id)
    first = client.post(URL, {"platform": "android", "token": "fcm-1"}, format="json")

    again = client.post(URL, {"platform": "android", "token": "fcm-1"}, format="json")

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert PushDevice.objects.filter(user_id=user_id).count() == 1


def test_a_token_registered_by_another_user_moves_to_them(authed_client: AuthedClient) -> None:
    before, after = uuid.uuid4(), uuid.uuid4()
    authed_client(before).post(URL, {"platform": "web", "token": "sub-1"}, format="json")

    moved = authed_client(after).post(URL, {"platform": "web", "token": "sub-1"}, format="json")

    assert moved.status_code == 201
    assert list(PushDevice.objects.values_list("user_id", flat=True)) == [after]
    assert authed_client(before).get(URL).json()["results"] == []


def test_delete_forgets_the_device_and_another_users_is_not_found(
    authed_client: AuthedClient,
) -> None:
    owner = authed_client(uuid.uuid4())
    device_id = owner.post(URL, {"platform": "ios", "token": "apns-1"}, format="json").json()["id"]

    foreign = authed_client(uuid.uuid4()).delete(f"{URL}{device_id}/")
    deleted = owner.delete(f"{URL}{device_id}/")

    assert foreign.status_code == 404
    assert foreign.json()["code"] == "not_found"
    assert deleted.status_code == 204
    assert not PushDevice.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"platform": "blackberry", "token": "t"},
        {"platform": "ios", "token": ""},
        {"platform": "ios"},
        {"platform": "ios", "token": "t", "user_id": str(uuid.uuid4())},
    ],
)
def test_bad_input_is_a_validation_error(authed_client: AuthedClient, body: dict[str, str]) -> None:
    response = authed_client(uuid.uuid4()).post(URL, body, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert not PushDevice.objects.exists()


def test_anonymous_is_refused() -> None:
    response = APIClient().get(URL)

    assert response.status_code == 401
