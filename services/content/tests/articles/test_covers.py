"""Cover images: uploaded by the author (or an editor), checked and re-encoded like
avatars, stored, served, shown in the article and as its default Open Graph image."""

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from content.articles import services
from content.articles.models import Article, ArticleStatus
from content.articles.services import article_create
from content.authors.models import Author
from platform_common.auth.jwt import Principal
from platform_common.testing.images import png_bomb
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db

AuthedClient = Callable[..., APIClient]


def detail_url(article_id: UUID) -> str:
    return f"/api/v1/content/articles/{article_id}/"


def cover_url(article_id: UUID) -> str:
    return f"{detail_url(article_id)}cover/"


def image(image_format: str = "PNG", *, size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    picture = Image.new("RGB", size, (200, 80, 20))
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription: metadata that must not survive
    picture.save(out, format=image_format, exif=exif)
    return out.getvalue()


def upload(client: APIClient, article_id: UUID, content: bytes, name: str = "cover.png") -> Any:
    return client.put(
        cover_url(article_id), {"cover": SimpleUploadedFile(name, content)}, format="multipart"
    )


def stored(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.glob("*")) if directory.exists() else []


@pytest.fixture
def article(author: Author) -> Article:
    return article_create(
        author_id=author.id, title="Covered", body="Text", status=ArticleStatus.PUBLISHED
    )


def test_an_upload_is_re_encoded_stored_served_and_shown(
    authed_client: AuthedClient,
    author: Author,
    article: Article,
    cover_dir: Path,
    settings: Settings,
) -> None:
    response = upload(authed_client(author.id), article.id, image("JPEG"), name="cover.png")

    assert response.status_code == 200, response.content
    [name] = stored(cover_dir)
    assert name.endswith(".jpg")
    url = response.json()["cover_image_url"]
    assert url == f"{settings.COVER_BASE_URL}{name}"
    # No Open Graph image of its own: the cover stands in.
    assert response.json()["og_image_url"] == url
    on_disk = (cover_dir / name).read_bytes()
    assert b"secret description" not in on_disk
    assert Image.open(io.BytesIO(on_disk)).getexif() == {}
    served = APIClient().get(f"/api/v1/content/covers/{name}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert "immutable" in served["Cache-Control"]
    assert Image.open(io.BytesIO(served.getvalue())).size == (64, 48)


def test_an_open_graph_image_of_its_own_wins_over_the_cover(
    authed_client: AuthedClient, author: Author, article: Article
) -> None:
    client = authed_client(author.id)
    patched = client.patch(
        detail_url(article.id), {"og_image_url": "https://cdn.example.com/og.png"}, format="json"
    )
    assert patched.status_code == 200

    response = upload(client, article.id, image())

    assert response.json()["og_image_url"] == "https://cdn.example.com/og.png"
    assert response.json()["cover_image_url"] is not None


def test_an_editor_may_set_the_cover_of_a_draft_in_review(
    authed_client: AuthedClient, author: Author, cover_dir: Path
) -> None:
    in_review = article_create(
        author_id=author.id, title="Review", body="x", status=ArticleStatus.IN_REVIEW
    )

    response = upload(authed_client(uuid4(), roles=("editor",)), in_review.id, image())

    assert response.status_code == 200, response.content
    assert len(stored(cover_dir)) == 1


def test_the_cached_public_read_shows_the_new_cover(
    api_client: APIClient,
    authed_client: AuthedClient,
    author: Author,
    article: Article,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    assert api_client.get(detail_url(article.id)).json()["cover_image_url"] is None

    with django_capture_on_commit_callbacks(execute=True):
        uploaded = upload(authed_client(author.id), article.id, image())

    expected = uploaded.json()["cover_image_url"]
    assert api_client.get(detail_url(article.id)).json()["cover_image_url"] == expected
    listed = api_client.get("/api/v1/content/articles/").json()["results"]
    assert [item["cover_image_url"] for item in listed] == [expected]


def test_a_new_cover_replaces_the_old_file_once_committed(
    authed_client: AuthedClient,
    author: Author,
    article: Article,
    cover_dir: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = authed_client(author.id)
    upload(client, article.id, image())
    [first] = stored(cover_dir)

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, article.id, image("WEBP", size=(32, 32)))

    assert response.status_code == 200
    article.refresh_from_db()
    assert stored(cover_dir) == [article.cover.name] != [first]


def test_removing_the_cover_deletes_its_file(
    authed_client: AuthedClient,
    author: Author,
    article: Article,
    cover_dir: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = authed_client(author.id)
    upload(client, article.id, image())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(cover_url(article.id))

    assert response.status_code == 200
    assert response.json()["cover_image_url"] is None
    assert response.json()["og_image_url"] == ""
    assert stored(cover_dir) == []


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"<html><script>alert(1)</script></html>", 400, "image_invalid"),
        (b"GIF89a" + b"<script>alert(1)</script>" * 4, 400, "image_invalid"),
        (b"%PDF-1.7\n" + os.urandom(2048), 400, "image_invalid"),
        (os.urandom(800 * 1024), 413, "image_too_large"),
        (png_bomb(20_000), 400, "image_dimensions_too_large"),
    ],
    ids=["html-named-png", "gif-header-script", "pdf", "oversize", "decompression-bomb"],
)
def test_bad_covers_are_refused_and_nothing_is_stored(
    authed_client: AuthedClient,
    author: Author,
    article: Article,
    cover_dir: Path,
    content: bytes,
    status: int,
    code: str,
) -> None:
    response = upload(authed_client(author.id), article.id, content)

    assert_problem(response, status=status, code=code)
    assert stored(cover_dir) == []
    article.refresh_from_db()
    assert not article.cover


def test_too_many_pixels_are_refused_from_the_header(
    authed_client: AuthedClient, author: Author, article: Article
) -> None:
    response = upload(authed_client(author.id), article.id, image(size=(4097, 10)))

    assert_problem(response, status=400, code="image_dimensions_too_large")


@pytest.mark.parametrize(
    ("roles", "status", "code"),
    [(("reader",), 403, "permission_denied"), (("reader", "author"), 403, "permission_denied")],
    ids=["reader", "another-author"],
)
def test_others_may_not_set_the_cover(
    authed_client: AuthedClient,
    article: Article,
    cover_dir: Path,
    roles: tuple[str, ...],
    status: int,
    code: str,
) -> None:
    response = upload(authed_client(uuid4(), roles=roles), article.id, image())

    assert_problem(response, status=status, code=code)
    assert stored(cover_dir) == []


def test_an_archived_article_keeps_its_cover(
    authed_client: AuthedClient, author: Author, cover_dir: Path
) -> None:
    archived = article_create(
        author_id=author.id, title="Old", body="x", status=ArticleStatus.ARCHIVED
    )

    response = upload(authed_client(author.id), archived.id, image())

    assert_problem(response, status=409, code="not_editable")
    assert stored(cover_dir) == []


def test_a_failed_transaction_deletes_the_file_it_stored(
    author: Author, article: Article, cover_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "public_cache_invalidate", broken)

    with pytest.raises(RuntimeError):
        services.article_cover_set(
            article_id=article.id, actor=Principal(id=author.id), source=io.BytesIO(image())
        )

    assert stored(cover_dir) == []


def test_an_unknown_cover_is_a_404_problem(api_client: APIClient) -> None:
    response = api_client.get(f"/api/v1/content/covers/{'0' * 32}.png")

    assert_problem(response, status=404, code="not_found")
