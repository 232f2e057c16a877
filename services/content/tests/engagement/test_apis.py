from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import pytest
from rest_framework.test import APIClient

from content.articles.models import Article, ArticleStatus
from content.articles.services import article_create
from content.authors.models import Author
from content.engagement.models import Bookmark, Reaction
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db

AuthedClient = Callable[..., APIClient]
BOOKMARKS_URL = "/api/v1/content/bookmarks/"


def reaction_url(article_id: UUID, kind: str) -> str:
    return f"/api/v1/content/articles/{article_id}/reactions/{kind}/"


def bookmark_url(article_id: UUID) -> str:
    return f"/api/v1/content/articles/{article_id}/bookmark/"


def article_url(article_id: UUID) -> str:
    return f"/api/v1/content/articles/{article_id}/"


@pytest.fixture
def article(author: Author) -> Article:
    return article_create(
        author_id=author.id, title="Liked", body="text", status=ArticleStatus.PUBLISHED
    )


def reactions_of(client: APIClient, article: Article) -> dict[str, int]:
    response = client.get(article_url(article.id))
    assert response.status_code == 200, response.content
    counts: dict[str, int] = response.json()["reactions"]
    return counts


# Reactions


def test_reactions_are_counted_once_per_user_and_kind(
    authed_client: AuthedClient, article: Article
) -> None:
    first, second = authed_client(), authed_client()

    statuses = [
        first.put(reaction_url(article.id, "like")).status_code,
        first.put(reaction_url(article.id, "like")).status_code,
        first.put(reaction_url(article.id, "love")).status_code,
        second.put(reaction_url(article.id, "like")).status_code,
    ]

    assert statuses == [204, 204, 204, 204]
    assert reactions_of(first, article) == {"like": 2, "love": 1, "insightful": 0}
    assert Reaction.objects.filter(article=article).count() == 3


def test_withdrawing_a_reaction_uncounts_it_once(
    authed_client: AuthedClient, article: Article
) -> None:
    client = authed_client()
    client.put(reaction_url(article.id, "insightful"))

    first = client.delete(reaction_url(article.id, "insightful"))
    again = client.delete(reaction_url(article.id, "insightful"))

    assert (first.status_code, again.status_code) == (204, 204)
    assert reactions_of(client, article) == {"like": 0, "love": 0, "insightful": 0}


def test_an_unknown_reaction_kind_is_not_found(
    authed_client: AuthedClient, article: Article
) -> None:
    response = authed_client().put(reaction_url(article.id, "angry"))

    assert_problem(response, status=404, code="not_found")


def test_nobody_reacts_to_an_unreadable_draft(authed_client: AuthedClient, author: Author) -> None:
    draft = article_create(author_id=author.id, title="Draft", body="x")

    response = authed_client().put(reaction_url(draft.id, "like"))

    assert_problem(response, status=404, code="not_found")
    assert not Reaction.objects.exists()


def test_anonymous_callers_do_not_react(
    api_client: APIClient, jwks_server: object, article: Article
) -> None:
    response = api_client.put(reaction_url(article.id, "like"))

    assert_problem(response, status=401, code="not_authenticated")


# Bookmarks


def test_bookmarks_are_a_private_list_newest_first(
    authed_client: AuthedClient, author: Author, article: Article
) -> None:
    user = uuid4()
    client = authed_client(user)
    later = article_create(
        author_id=author.id, title="Later", body="x", status=ArticleStatus.PUBLISHED
    )
    client.put(bookmark_url(article.id))
    client.put(bookmark_url(later.id))
    client.put(bookmark_url(later.id))

    mine = client.get(BOOKMARKS_URL).json()
    someone_elses = authed_client().get(BOOKMARKS_URL).json()

    assert [item["article"]["id"] for item in mine["results"]] == [str(later.id), str(article.id)]
    assert mine["results"][0]["article"]["title"] == "Later"
    assert "body" not in mine["results"][0]["article"]
    assert someone_elses["results"] == []


def test_removing_a_bookmark(authed_client: AuthedClient, article: Article) -> None:
    client = authed_client()
    client.put(bookmark_url(article.id))

    response = client.delete(bookmark_url(article.id))

    assert response.status_code == 204
    assert not Bookmark.objects.exists()


def test_bookmarks_of_deleted_articles_leave_the_list(
    authed_client: AuthedClient, article: Article
) -> None:
    client = authed_client()
    client.put(bookmark_url(article.id))
    article.delete()

    assert client.get(BOOKMARKS_URL).json()["results"] == []


def test_anonymous_callers_have_no_bookmarks(api_client: APIClient, jwks_server: object) -> None:
    assert_problem(api_client.get(BOOKMARKS_URL), status=401, code="not_authenticated")


@pytest.mark.parametrize("count", [1, 50])
def test_the_bookmark_list_runs_a_fixed_number_of_queries(
    authed_client: AuthedClient, author: Author, count: int, django_assert_num_queries: Any
) -> None:
    user = uuid4()
    articles = [
        article_create(
            author_id=author.id, title=f"T{index}", body="x", status=ArticleStatus.PUBLISHED
        )
        for index in range(count)
    ]
    Bookmark.objects.bulk_create([Bookmark(article=item, user_id=user) for item in articles])
    client = authed_client(user)

    # One COUNT for the page, one SELECT joining the articles.
    with django_assert_num_queries(2):
        response = client.get(BOOKMARKS_URL, {"page_size": 50})

    assert len(response.json()["results"]) == count
