"""JSON responses are gzip-compressed above a size threshold; ETags and 304s keep working."""

import gzip
import json

import pytest
from django.test import Client

from platform_common.api.middleware import COMPRESSION_MIN_BYTES
from tests.testapp.models import Note

pytestmark = pytest.mark.django_db

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def notes() -> list[Note]:
    return Note.objects.bulk_create(
        Note(title=f"note {index}", body="a readable body " * 20) for index in range(50)
    )


def test_a_large_list_comes_back_gzip_compressed(client: Client, notes: list[Note]) -> None:
    response = client.get("/api/notes/", {"page_size": 50}, headers=GZIP)

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert int(response["Content-Length"]) == len(response.content)
    body = json.loads(gzip.decompress(response.content))
    assert len(body["results"]) == 50


def test_a_small_response_is_not_compressed(client: Client) -> None:
    response = client.get("/healthz", headers=GZIP)

    assert len(response.content) < COMPRESSION_MIN_BYTES
    assert not response.has_header("Content-Encoding")
    assert response.json() == {"status": "ok"}


def test_a_client_that_does_not_accept_gzip_gets_plain_json(
    client: Client, notes: list[Note]
) -> None:
    response = client.get("/api/notes/", {"page_size": 50})

    assert not response.has_header("Content-Encoding")
    assert len(response.json()["results"]) == 50


def test_the_etag_of_a_compressed_response_answers_a_conditional_get_with_304(
    client: Client, notes: list[Note]
) -> None:
    first = client.get("/api/notes/", {"page_size": 50}, headers=GZIP)
    etag = first["ETag"]

    again = client.get("/api/notes/", {"page_size": 50}, HTTP_IF_NONE_MATCH=etag, headers=GZIP)
    Note.objects.create(title="a new note")
    changed = client.get("/api/notes/", {"page_size": 50}, HTTP_IF_NONE_MATCH=etag, headers=GZIP)

    assert etag.startswith('W/"')
    assert again.status_code == 304
    assert again.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag
