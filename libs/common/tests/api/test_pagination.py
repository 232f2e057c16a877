import pytest
from rest_framework.test import APIClient

from tests.testapp.models import Note

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes() -> list[Note]:
    return Note.objects.bulk_create(Note(title=f"note {index}") for index in range(105))


def test_page_number_defaults_to_twenty(api_client: APIClient, notes: list[Note]) -> None:
    response = api_client.get("/api/notes/")

    body = response.json()
    assert body["count"] == 105
    assert len(body["results"]) == 20


def test_page_size_is_capped_at_one_hundred(api_client: APIClient, notes: list[Note]) -> None:
    response = api_client.get("/api/notes/", {"page_size": 1000})

    assert len(response.json()["results"]) == 100


def test_page_past_the_end_is_a_not_found_problem(api_client: APIClient, notes: list[Note]) -> None:
    response = api_client.get("/api/notes/", {"page": 99})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_cursor_pages_are_newest_first_and_capped(api_client: APIClient, notes: list[Note]) -> None:
    first = api_client.get("/api/notes/cursor/", {"page_size": 500}).json()
    second = api_client.get(first["next"]).json()

    created = [item["created_at"] for item in first["results"] + second["results"]]
    assert len(first["results"]) == 100
    assert len(second["results"]) == 5
    assert created == sorted(created, reverse=True)


@pytest.mark.parametrize("page", ["", "0", "-1", "abc", "1.5", "last"])
def test_a_malformed_page_number_is_a_400_on_page(
    api_client: APIClient, notes: list[Note], page: str
) -> None:
    response = api_client.get("/api/notes/", {"page": page})

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    assert [error["field"] for error in response.json()["errors"]] == ["page"]


@pytest.mark.parametrize("page_size", ["", "0", "x"])
def test_a_malformed_page_size_is_a_400_on_page_size(
    api_client: APIClient, notes: list[Note], page_size: str
) -> None:
    response = api_client.get("/api/notes/cursor/", {"page_size": page_size})

    assert response.status_code == 400, response.content
    assert [error["field"] for error in response.json()["errors"]] == ["page_size"]


def test_a_malformed_cursor_is_a_400_on_cursor(api_client: APIClient, notes: list[Note]) -> None:
    response = api_client.get("/api/notes/cursor/", {"cursor": ";"})

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    assert [error["field"] for error in response.json()["errors"]] == ["cursor"]


def test_a_well_formed_cursor_this_api_never_issued_is_not_found(
    api_client: APIClient, notes: list[Note]
) -> None:
    response = api_client.get("/api/notes/cursor/", {"cursor": "bz14"})  # "o=x"

    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"
