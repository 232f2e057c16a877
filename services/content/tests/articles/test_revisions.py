from collections.abc import Callable
from uuid import UUID, uuid4

import pytest
from rest_framework.test import APIClient

from content.articles.models import ArticleRevision, ArticleStatus
from content.articles.services import article_create, article_update
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db

AuthedClient = Callable[..., APIClient]
AUTHOR = uuid4()


def revisions_url(article_id: UUID) -> str:
    return f"/api/v1/content/articles/{article_id}/revisions/"


def test_each_change_of_title_summary_or_body_makes_a_revision() -> None:
    article = article_create(author_id=AUTHOR, title="One", body="first")
    article_update(article_id=article.id, actor_id=AUTHOR, title="Two")
    article_update(article_id=article.id, actor_id=AUTHOR, summary="Short")
    article_update(article_id=article.id, actor_id=AUTHOR, body="second")
    # Neither title, summary nor body: no revision.
    article_update(article_id=article.id, actor_id=AUTHOR, meta_title="SEO")
    # The same title again: nothing changed, no revision.
    article_update(article_id=article.id, actor_id=AUTHOR, title="Two")

    revisions = list(ArticleRevision.objects.filter(article=article).order_by("number"))

    assert [(r.number, r.title, r.summary, r.body) for r in revisions] == [
        (1, "One", "", "first"),
        (2, "Two", "", "first"),
        (3, "Two", "Short", "first"),
        (4, "Two", "Short", "second"),
    ]


def test_the_author_lists_revisions_newest_first(authed_client: AuthedClient) -> None:
    article = article_create(author_id=AUTHOR, title="One", body="x")
    article_update(article_id=article.id, actor_id=AUTHOR, title="Two")

    response = authed_client(AUTHOR).get(revisions_url(article.id))

    assert response.status_code == 200, response.content
    assert [item["number"] for item in response.json()["results"]] == [2, 1]
    assert response.json()["results"][0]["editor_id"] == str(AUTHOR)


def test_diff_of_two_revisions_is_unified(authed_client: AuthedClient) -> None:
    article = article_create(author_id=AUTHOR, title="One", body="line a\nline b\n")
    article_update(article_id=article.id, actor_id=AUTHOR, body="line a\nline c\n")

    response = authed_client(AUTHOR).get(f"{revisions_url(article.id)}diff/", {"from": 1, "to": 2})

    assert response.status_code == 200, response.content
    diff = response.json()["diff"]
    assert diff.startswith("--- revision 1\n+++ revision 2\n@@")
    assert "-line b\n" in diff
    assert "+line c\n" in diff


def test_diff_of_an_unknown_revision_is_not_found(authed_client: AuthedClient) -> None:
    article = article_create(author_id=AUTHOR, title="One", body="x")

    response = authed_client(AUTHOR).get(f"{revisions_url(article.id)}diff/", {"from": 1, "to": 9})

    assert_problem(response, status=404, code="not_found")


def test_restoring_a_revision_makes_a_new_one(authed_client: AuthedClient) -> None:
    article = article_create(author_id=AUTHOR, title="One", summary="S1", body="first")
    article_update(article_id=article.id, actor_id=AUTHOR, title="Two", body="second")

    response = authed_client(AUTHOR).post(f"{revisions_url(article.id)}1/restore/")

    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["body"]) == ("One", "first")
    assert response.json()["body_html"] == "<p>first</p>"
    latest = ArticleRevision.objects.filter(article=article).order_by("-number").first()
    assert latest is not None
    assert (latest.number, latest.title, latest.body) == (3, "One", "first")


def test_other_readers_neither_read_nor_restore_revisions(authed_client: AuthedClient) -> None:
    article = article_create(
        author_id=AUTHOR, title="Public", body="x", status=ArticleStatus.PUBLISHED
    )
    other = authed_client(uuid4(), roles=("reader", "author"))

    listed = other.get(revisions_url(article.id))
    restored = other.post(f"{revisions_url(article.id)}1/restore/")

    assert_problem(listed, status=403, code="permission_denied")
    assert_problem(restored, status=403, code="permission_denied")


def test_an_editor_reads_revisions_of_any_article(authed_client: AuthedClient) -> None:
    article = article_create(author_id=AUTHOR, title="Draft", body="x")

    response = authed_client(uuid4(), roles=("editor",)).get(revisions_url(article.id))

    assert [item["number"] for item in response.json()["results"]] == [1]
