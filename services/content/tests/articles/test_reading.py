"""The reading API: filters, ordering, full-text search, autocomplete."""

from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from content.articles.models import Article, ArticleLanguage, ArticleStatus
from content.articles.services import article_create
from content.taxonomy.services import category_create, tag_create
from tests.problems import assert_problem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jwks_server")]

LIST_URL = "/api/v1/content/articles/"
SEARCH_URL = "/api/v1/content/articles/search/"
AUTOCOMPLETE_URL = "/api/v1/content/articles/autocomplete/"
AUTHOR = uuid4()


def published(title: str, body: str = "text", **fields: Any) -> Article:
    return article_create(
        author_id=fields.pop("author_id", AUTHOR),
        title=title,
        body=body,
        status=ArticleStatus.PUBLISHED,
        **fields,
    )


def titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["results"]]


def test_a_category_filter_includes_its_descendants(api_client: APIClient) -> None:
    science = category_create(name="Science")
    space = category_create(name="Space", parent_id=science.id)
    mars = category_create(name="Mars", parent_id=space.id)
    arts = category_create(name="Arts")
    published("Rovers", category_id=mars.id)
    published("Orbits", category_id=space.id)
    published("Atoms", category_id=science.id)
    published("Paintings", category_id=arts.id)

    by_root = api_client.get(LIST_URL, {"category": str(science.id), "ordering": "title"})
    by_branch = api_client.get(LIST_URL, {"category": str(space.id), "ordering": "title"})

    assert titles(by_root) == ["Atoms", "Orbits", "Rovers"]
    assert titles(by_branch) == ["Orbits", "Rovers"]


def test_filters_by_tag_author_and_publication_dates(api_client: APIClient) -> None:
    python = tag_create(name="Python")
    other_author = uuid4()
    tagged = published("Tagged", tag_ids=[python.id])
    published("By another", author_id=other_author)
    old = published("Old")
    Article.objects.filter(id=old.id).update(published_at=timezone.now() - timedelta(days=30))
    week_ago = (timezone.now() - timedelta(days=7)).isoformat()

    by_tag = api_client.get(LIST_URL, {"tag": "PYTHON"})
    by_author = api_client.get(LIST_URL, {"author": str(other_author)})
    recent = api_client.get(LIST_URL, {"published_after": week_ago, "ordering": "title"})
    older = api_client.get(LIST_URL, {"published_before": week_ago})

    assert titles(by_tag) == [tagged.title]
    assert titles(by_author) == ["By another"]
    assert titles(recent) == ["By another", "Tagged"]
    assert titles(older) == ["Old"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [("title", ["A", "B", "C"]), ("-title", ["C", "B", "A"]), ("-view_count", ["B", "C", "A"])],
)
def test_ordering(api_client: APIClient, ordering: str, expected: list[str]) -> None:
    for title, views in (("A", 1), ("B", 9), ("C", 5)):
        Article.objects.filter(id=published(title).id).update(view_count=views)

    assert titles(api_client.get(LIST_URL, {"ordering": ordering})) == expected


def test_an_unknown_ordering_is_a_400(api_client: APIClient) -> None:
    response = api_client.get(LIST_URL, {"ordering": "body"})

    body = assert_problem(response, status=400, code="validation_error")
    assert [error["field"] for error in body["errors"]] == ["ordering"]


def test_search_ranks_title_above_summary_above_body(api_client: APIClient) -> None:
    published("Gardening notes", body="Nothing about it here. " * 5 + "Tomato varieties.")
    published("Weekly digest", summary="Tomato varieties compared.", body="Lorem ipsum.")
    published("Tomato varieties", body="Lorem ipsum.")
    published("Unrelated", body="Cucumbers only.")

    response = api_client.get(SEARCH_URL, {"q": "tomato varieties"})

    assert titles(response) == ["Tomato varieties", "Weekly digest", "Gardening notes"]
    ranks = [item["rank"] for item in response.json()["results"]]
    assert ranks == sorted(ranks, reverse=True)


def test_search_highlights_matches_and_keeps_the_passage_inert(api_client: APIClient) -> None:
    published(
        "Volcanoes",
        body="Io has active volcanoes <script>alert(1)</script> erupting 1 <b sulfur plumes.",
    )

    response = api_client.get(SEARCH_URL, {"q": "volcanoes erupting"})

    (hit,) = response.json()["results"]
    assert "<mark>volcanoes</mark>" in hit["headline"]
    assert "<mark>erupting</mark>" in hit["headline"]
    # Only our marks are markup: any other "<" of the text comes back escaped.
    assert "<" not in hit["headline"].replace("<mark>", "").replace("</mark>", "")
    assert "&lt;b sulfur" in hit["headline"]


def test_search_uses_each_articles_language(api_client: APIClient) -> None:
    published("Les chevaux", body="Les chevaux courent.", language=ArticleLanguage.FRENCH)
    published("Horses", body="Horses are running.")

    french = api_client.get(SEARCH_URL, {"q": "cheval"})
    english = api_client.get(SEARCH_URL, {"q": "run"})

    # French stemming finds "chevaux" from "cheval"; English finds "running" from "run".
    assert titles(french) == ["Les chevaux"]
    assert titles(english) == ["Horses"]


def test_search_does_not_show_others_drafts(api_client: APIClient) -> None:
    article_create(author_id=AUTHOR, title="Secret tomato plan", body="x")

    assert titles(api_client.get(SEARCH_URL, {"q": "tomato"})) == []


def test_search_needs_a_query(api_client: APIClient) -> None:
    assert_problem(api_client.get(SEARCH_URL), status=400, code="validation_error")


def test_autocomplete_suggests_titles_and_tags(api_client: APIClient) -> None:
    published("Pythons of Borneo")
    published("Learning Python")
    published("Rust in practice")
    article_create(author_id=AUTHOR, title="Python draft", body="x")
    tag_create(name="python")

    response = api_client.get(AUTOCOMPLETE_URL, {"q": "pyt"})

    assert response.status_code == 200, response.content
    assert sorted(item["title"] for item in response.json()["articles"]) == [
        "Learning Python",
        "Pythons of Borneo",
    ]
    assert [tag["slug"] for tag in response.json()["tags"]] == ["python"]
