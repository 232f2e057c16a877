import pytest
from rest_framework import serializers
from rest_framework.test import APIClient

from platform_common.api.serializers import RejectUnknownFieldsMixin
from tests.testapp.models import Note

pytestmark = pytest.mark.django_db


def test_sparse_fields_keep_only_the_requested_fields(api_client: APIClient) -> None:
    Note.objects.create(title="first", body="text")

    response = api_client.get("/api/notes/", {"fields": "id, title"})

    assert response.status_code == 200
    assert [sorted(item) for item in response.json()["results"]] == [["id", "title"]]


def test_without_fields_param_every_field_is_returned(api_client: APIClient) -> None:
    Note.objects.create(title="first")

    response = api_client.get("/api/notes/")

    assert sorted(response.json()["results"][0]) == ["body", "created_at", "id", "title"]


@pytest.mark.parametrize("fields", ["", ",", " , "])
def test_an_empty_sparse_field_list_is_a_validation_error_not_empty_objects(
    api_client: APIClient, fields: str
) -> None:
    Note.objects.create(title="first")

    response = api_client.get("/api/notes/", {"fields": fields})

    assert response.status_code == 400, response.content
    assert [error["field"] for error in response.json()["errors"]] == ["fields"]


def test_unknown_sparse_field_is_a_validation_error(api_client: APIClient) -> None:
    Note.objects.create(title="first")

    response = api_client.get("/api/notes/", {"fields": "id,password"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"] == [
        {"field": "fields", "code": "invalid_choice", "message": "Unknown field: password."}
    ]


def test_unknown_input_key_is_rejected_with_unknown_field(api_client: APIClient) -> None:
    response = api_client.post("/api/notes/", {"title": "ok", "is_admin": True}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unknown_field"
    assert body["errors"] == [
        {"field": "is_admin", "code": "unknown_field", "message": "Unknown or read-only field."}
    ]
    assert not Note.objects.exists()


def test_unknown_nested_key_is_reported_with_its_path(api_client: APIClient) -> None:
    response = api_client.post(
        "/api/notes/",
        {"title": "ok", "links": [{"url": "https://example.com", "rel": "x"}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "links.0.rel", "code": "unknown_field", "message": "Unknown or read-only field."}
    ]


def test_unknown_keys_and_invalid_values_are_reported_together(api_client: APIClient) -> None:
    response = api_client.post("/api/notes/", {"extra": 1}, format="json")

    body = response.json()
    assert body["code"] == "validation_error"
    assert {(error["field"], error["code"]) for error in body["errors"]} == {
        ("title", "required"),
        ("extra", "unknown_field"),
    }


def test_known_input_is_accepted(api_client: APIClient) -> None:
    response = api_client.post("/api/notes/", {"title": "ok", "body": "b"}, format="json")

    assert response.status_code == 201
    assert response.json()["title"] == "ok"


class NoteUpdateSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer[Note]):
    class Meta:
        model = Note
        fields = ["id", "title", "body"]
        read_only_fields = ["id"]


def test_model_serializer_with_the_mixin_rejects_unknown_and_read_only_keys() -> None:
    serializer = NoteUpdateSerializer(data={"id": "x", "title": "t", "deleted_at": None})

    assert not serializer.is_valid()
    assert {
        name: [error.code for error in errors] for name, errors in serializer.errors.items()
    } == {
        "id": ["unknown_field"],
        "deleted_at": ["unknown_field"],
    }


def test_model_serializer_with_the_mixin_accepts_its_fields() -> None:
    serializer = NoteUpdateSerializer(data={"title": "t", "body": "b"})

    assert serializer.is_valid(), serializer.errors


@pytest.mark.parametrize("title", [0, 1.5, True, ["x"], {"x": 1}])
def test_a_text_field_refuses_what_is_not_a_string(api_client: APIClient, title: object) -> None:
    response = api_client.post("/api/notes/", {"title": title}, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["errors"] == [
        {"field": "title", "code": "invalid", "message": "Not a valid string."}
    ]
    assert not Note.objects.exists()


def test_a_text_field_measures_its_length_before_trimming(api_client: APIClient) -> None:
    # 100 characters once trimmed, 101 as sent: the schema's maxLength is of what is sent.
    response = api_client.post("/api/notes/", {"title": "\x1c" + "x" * 100}, format="json")

    assert response.status_code == 400, response.content
    assert [(error["field"], error["code"]) for error in response.json()["errors"]] == [
        ("title", "max_length")
    ]
    assert not Note.objects.exists()
