"""Summary, Markdown body, category, tags, SEO fields, reading time, by-slug reads, views."""

from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from django.core.cache import caches
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from content.articles.models import Article, ArticleStatus
from content.articles.services import article_create
from content.articles.view_counts import article_views_flush
from content.authors.models import Author
from content.taxonomy.services import category_create, tag_create
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/content/articles/"
AuthedClient = Callable[..., APIClient]
AUTHOR = ("reader", "author")


def detail_url(article_id: UUID | str) -> str:
    return f"{LIST_URL}{article_id}/"


def slug_url(slug: str) -> str:
    return f"{LIST_URL}by-slug/{slug}/"


@pytest.fixture
def views_key(settings: Settings) -> Iterator[str]:
    """A views hash of this test's own in the Redis Cluster (a running stack flushes its own)."""
    key = f"test-article-views-{uuid4().hex}"
    settings.ARTICLE_VIEWS_KEY = key
    yield key
    cluster = caches["default"].cluster  # type: ignore[attr-defined]
    cluster.delete(f"{{{key}}}:pending")
    cluster.delete(f"{{{key}}}:flushing")


def test_an_article_carries_its_details(authed_client: AuthedClient, author: Author) -> None:
    category = category_create(name="Science")
    tags = [tag_create(name="space"), tag_create(name="astronomy")]
    payload: dict[str, Any] = {
        "title": "Moons of Jupiter",
        "summary": "Four big ones.",
        "body": "# Io\n\nVolcanic. " + "word " * 400,
        "category_id": str(category.id),
        "tag_ids": [str(tag.id) for tag in tags],
        "meta_title": "Jupiter's moons",
        "meta_description": "A tour of the Galilean moons.",
        "canonical_url": "https://example.com/moons",
        "og_image_url": "https://cdn.example.com/io.png",
    }

    response = authed_client(author.id, roles=AUTHOR).post(LIST_URL, payload, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["summary"] == "Four big ones."
    assert body["body_html"].startswith("<h1>Io</h1>\n<p>Volcanic.")
    assert body["reading_time_minutes"] == 3
    assert body["category"] == {"id": str(category.id), "slug": "science", "name": "Science"}
    assert [tag["slug"] for tag in body["tags"]] == ["astronomy", "space"]
    assert (body["meta_title"], body["meta_description"]) == (
        "Jupiter's moons",
        "A tour of the Galilean moons.",
    )
    assert body["canonical_url"] == "https://example.com/moons"
    assert body["og_image_url"] == "https://cdn.example.com/io.png"
    assert body["view_count"] == 0


def test_an_xss_payload_in_title_and_body_comes_back_inert(
    authed_client: AuthedClient, author: Author
) -> None:
    payload = '<img src=x onerror=alert(1)><script>alert("x")</script>'

    response = authed_client(author.id, roles=AUTHOR).post(
        LIST_URL,
        {"title": f"Hello {payload}", "body": f"Hi {payload} [x](javascript:alert(1))"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Hello"
    assert "<script" not in body["body_html"]
    assert "onerror" not in body["body_html"]
    assert "javascript:" not in body["body_html"]
    # The Markdown source is kept as written (editing it again must not lose text).
    assert payload in body["body"]


def test_a_title_of_markup_only_is_refused(authed_client: AuthedClient, author: Author) -> None:
    response = authed_client(author.id, roles=AUTHOR).post(
        LIST_URL, {"title": "<script>alert(1)</script>", "body": "x"}, format="json"
    )

    body = assert_problem(response, status=400, code="validation_error")
    assert [error["field"] for error in body["errors"]] == ["title"]


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.com/x.png", "data:image/png;base64,AAAA"]
)
def test_seo_urls_must_be_http(authed_client: AuthedClient, author: Author, url: str) -> None:
    response = authed_client(author.id, roles=AUTHOR).post(
        LIST_URL, {"title": "t", "body": "x", "og_image_url": url}, format="json"
    )

    body = assert_problem(response, status=400, code="validation_error")
    assert [error["field"] for error in body["errors"]] == ["og_image_url"]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("category_id", str(uuid4()), "unknown_category"), ("tag_ids", [str(uuid4())], "unknown_tag")],
)
def test_unknown_references_are_refused(
    authed_client: AuthedClient, author: Author, field: str, value: Any, code: str
) -> None:
    response = authed_client(author.id, roles=AUTHOR).post(
        LIST_URL, {"title": "t", "body": "x", field: value}, format="json"
    )

    assert_problem(response, status=409, code=code)
    assert not Article.all_objects.exists()


def test_patching_tags_replaces_them_and_the_body_is_rendered_again(
    authed_client: AuthedClient, author: Author
) -> None:
    old, new = tag_create(name="old"), tag_create(name="new")
    article = article_create(author_id=author.id, title="T", body="*a*", tag_ids=[old.id])

    response = authed_client(author.id).patch(
        detail_url(article.id), {"tag_ids": [str(new.id)], "body": "**b**"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert [tag["slug"] for tag in response.json()["tags"]] == ["new"]
    assert response.json()["body_html"] == "<p><strong>b</strong></p>"


def test_the_list_shows_the_summary_or_else_the_start_of_the_body(
    api_client: APIClient, jwks_server: object, author: Author
) -> None:
    article_create(
        author_id=author.id,
        title="A",
        summary="Short.",
        body="Body A",
        status=ArticleStatus.PUBLISHED,
    )
    article_create(author_id=author.id, title="B", body="Body B", status=ArticleStatus.PUBLISHED)

    items = api_client.get(LIST_URL).json()["results"]

    assert {item["title"]: item["summary"] for item in items} == {"A": "Short.", "B": "Body B"}
    assert all("body_html" not in item for item in items)


def test_anyone_reads_a_published_article_by_slug(
    api_client: APIClient, jwks_server: object, author: Author
) -> None:
    article = article_create(
        author_id=author.id, title="By slug", body="x", status=ArticleStatus.PUBLISHED
    )

    response = api_client.get(slug_url("by-slug"))

    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(article.id)


def test_a_draft_by_slug_is_not_found_for_others(
    api_client: APIClient, jwks_server: object, author: Author
) -> None:
    article_create(author_id=author.id, title="Secret", body="x")

    assert_problem(api_client.get(slug_url("secret")), status=404, code="not_found")


def test_reads_of_published_articles_are_counted_and_flushed(
    api_client: APIClient, authed_client: AuthedClient, author: Author, views_key: str
) -> None:
    article = article_create(
        author_id=author.id, title="Popular", body="x", status=ArticleStatus.PUBLISHED
    )
    hidden = article_create(author_id=author.id, title="Draft", body="x")
    for _ in range(3):
        api_client.get(detail_url(article.id))
    api_client.get(slug_url("popular"))
    authed_client(author.id).get(detail_url(hidden.id))

    before = Article.objects.get(id=article.id).view_count
    flushed = article_views_flush()
    again = article_views_flush()

    assert before == 0
    assert (flushed, again) == (4, 0)
    assert Article.objects.get(id=article.id).view_count == 4
    assert Article.objects.get(id=hidden.id).view_count == 0


def test_a_flush_that_died_midway_is_finished_by_the_next(
    api_client: APIClient, jwks_server: object, author: Author, views_key: str
) -> None:
    article = article_create(
        author_id=author.id, title="Read", body="x", status=ArticleStatus.PUBLISHED
    )
    api_client.get(detail_url(article.id))
    cluster = caches["default"].cluster  # type: ignore[attr-defined]
    # As a flush that renamed the hash aside and then crashed would leave it.
    cluster.rename(f"{{{views_key}}}:pending", f"{{{views_key}}}:flushing")
    api_client.get(detail_url(article.id))

    first = article_views_flush()
    second = article_views_flush()

    assert (first, second) == (1, 1)
    assert Article.objects.get(id=article.id).view_count == 2
