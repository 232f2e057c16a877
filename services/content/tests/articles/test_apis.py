from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import pytest
from rest_framework.test import APIClient

from content.articles.models import Article, ArticleStatus
from content.articles.services import article_create
from content.authors.models import Author
from content.engagement.services import article_counters_add
from platform_common.testing.jwt import (
    TEST_AUDIENCE,
    TEST_ISSUER,
    MakeToken,
    SigningKey,
    sign_token,
)
from tests.factories import published_articles
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/content/articles/"
AuthedClient = Callable[..., APIClient]
# The roles a writer's token carries (every account is a reader).
AUTHOR = ("reader", "author")


def detail_url(article_id: UUID) -> str:
    return f"/api/v1/content/articles/{article_id}/"


def published(author_id: UUID, title: str = "Published piece") -> Article:
    return article_create(
        author_id=author_id, title=title, body="text", status=ArticleStatus.PUBLISHED
    )


def draft(author_id: UUID, title: str = "Draft piece") -> Article:
    return article_create(author_id=author_id, title=title, body="text")


def listed_ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


# Create


def test_author_creates_a_draft(authed_client: AuthedClient, author: Author) -> None:
    client = authed_client(author.id, roles=AUTHOR)

    response = client.post(LIST_URL, {"title": "Hello, World!", "body": "First."}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Hello, World!"
    assert body["slug"] == "hello-world"
    assert body["status"] == "draft"
    assert body["published_at"] is None
    assert body["author_id"] == str(author.id)
    assert body["author_display_name"] == "Ada Lovelace"
    assert Article.objects.filter(id=body["id"], author_id=author.id).exists()


@pytest.mark.parametrize("roles", [(), ("reader",)], ids=["no-role", "reader"])
def test_a_reader_may_not_create_an_article(authed_client: AuthedClient, roles: tuple[str]) -> None:
    response = authed_client(uuid4(), roles=roles).post(
        LIST_URL, {"title": "Mine", "body": "x"}, format="json"
    )

    assert_problem(response, status=403, code="permission_denied")
    assert not Article.objects.exists()


@pytest.mark.parametrize("role", ["author", "editor", "admin"])
def test_authors_editors_and_admins_create_articles(authed_client: AuthedClient, role: str) -> None:
    response = authed_client(uuid4(), roles=("reader", role)).post(
        LIST_URL, {"title": "Mine", "body": "x"}, format="json"
    )

    assert response.status_code == 201, response.content


def test_a_status_cannot_be_set_on_creation(authed_client: AuthedClient, author: Author) -> None:
    client = authed_client(author.id, roles=AUTHOR)

    response = client.post(
        LIST_URL, {"title": "Out now", "body": "x", "status": "published"}, format="json"
    )

    body = assert_problem(response, status=400, code="unknown_field")
    assert [error["field"] for error in body["errors"]] == ["status"]


def test_same_title_gets_a_distinct_slug(authed_client: AuthedClient, author: Author) -> None:
    client = authed_client(author.id, roles=AUTHOR)
    first = client.post(LIST_URL, {"title": "Same", "body": "x"}, format="json").json()

    second = client.post(LIST_URL, {"title": "Same", "body": "x"}, format="json").json()

    assert first["slug"] == "same"
    assert second["slug"].startswith("same-")


def test_author_not_yet_projected_still_creates_and_reads(authed_client: AuthedClient) -> None:
    brand_new_user = uuid4()
    client = authed_client(brand_new_user, roles=AUTHOR)

    response = client.post(LIST_URL, {"title": "Early bird", "body": "x"}, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["author_display_name"] is None
    assert str(response.json()["id"]) in listed_ids(client.get(LIST_URL))


# List


def test_anonymous_list_shows_only_published(
    api_client: APIClient, jwks_server: object, author: Author
) -> None:
    visible = published(author.id)
    draft(author.id)

    response = api_client.get(LIST_URL)

    assert listed_ids(response) == {str(visible.id)}


def test_list_adds_the_callers_own_drafts_only(
    authed_client: AuthedClient, author: Author, other_author: Author
) -> None:
    mine = draft(author.id)
    theirs_published = published(other_author.id)
    draft(other_author.id)

    response = authed_client(author.id).get(LIST_URL)

    assert listed_ids(response) == {str(mine.id), str(theirs_published.id)}


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_editors_and_admins_read_every_draft_but_change_only_their_own(
    authed_client: AuthedClient, author: Author, other_author: Author, role: str
) -> None:
    theirs = draft(other_author.id)
    reviewer = authed_client(author.id, roles=("reader", role))

    listed = reviewer.get(LIST_URL, {"status": "draft"})
    read = reviewer.get(detail_url(theirs.id))
    changed = reviewer.patch(detail_url(theirs.id), {"title": "Mine now"}, format="json")

    assert listed_ids(listed) == {str(theirs.id)}
    assert read.status_code == 200
    assert_problem(changed, status=404, code="not_found")


def test_authors_and_readers_do_not_read_others_drafts(
    authed_client: AuthedClient, author: Author, other_author: Author
) -> None:
    theirs = draft(other_author.id)
    client = authed_client(author.id, roles=("reader", "author"))

    assert listed_ids(client.get(LIST_URL)) == set()
    assert_problem(client.get(detail_url(theirs.id)), status=404, code="not_found")


def test_list_hides_deleted_articles(
    api_client: APIClient, jwks_server: object, author: Author
) -> None:
    published(author.id).delete()

    assert listed_ids(api_client.get(LIST_URL)) == set()


def test_list_filters_by_status_and_author(
    authed_client: AuthedClient, author: Author, other_author: Author
) -> None:
    mine_draft = draft(author.id)
    published(author.id)
    theirs = published(other_author.id)
    client = authed_client(author.id)

    by_status = client.get(LIST_URL, {"status": "draft"})
    by_author = client.get(LIST_URL, {"author": str(other_author.id)})

    assert listed_ids(by_status) == {str(mine_draft.id)}
    assert listed_ids(by_author) == {str(theirs.id)}


def test_list_rejects_an_invalid_filter(api_client: APIClient, jwks_server: object) -> None:
    response = api_client.get(LIST_URL, {"status": "retracted"})

    body = assert_problem(response, status=400, code="validation_error")
    assert [error["field"] for error in body["errors"]] == ["status"]


def test_list_includes_author_display_name(
    api_client: APIClient, jwks_server: object, author: Author
) -> None:
    published(author.id)

    response = api_client.get(LIST_URL)

    assert response.json()["results"][0]["author_display_name"] == "Ada Lovelace"


@pytest.mark.parametrize("count", [1, 50])
def test_list_runs_a_fixed_number_of_queries(
    api_client: APIClient,
    jwks_server: object,
    author: Author,
    other_author: Author,
    count: int,
    django_assert_num_queries: Any,
) -> None:
    for index in range(count):
        article = published(author.id if index % 2 else other_author.id, title=f"Piece {index}")
        article_counters_add(article_id=article.id, comment_count=index, like_count=1)

    # One SELECT joining the counters, the author names as a subquery; a cursor, no COUNT.
    with django_assert_num_queries(1):
        response = api_client.get(LIST_URL, {"page_size": 50})

    items = response.json()["results"]
    assert len(items) == count
    assert sorted(item["comment_count"] for item in items) == list(range(count))
    assert all(item["reactions"]["like"] == 1 for item in items)


def test_a_page_of_long_articles_carries_summaries_not_bodies(
    api_client: APIClient, jwks_server: object, author: Author
) -> None:
    long_body = "Opening line of a long read. " + "x" * (256 * 1024)
    published_articles(20, author_id=author.id, body=long_body)

    listed = api_client.get(LIST_URL, {"page_size": 100})
    detail = api_client.get(detail_url(listed.json()["results"][0]["id"]))

    items = listed.json()["results"]
    assert len(items) == 20
    assert all("body" not in item for item in items)
    assert all(long_body.startswith(item["summary"]) for item in items)
    assert all(0 < len(item["summary"]) <= 300 for item in items)
    assert len(listed.content) < 20 * 1024
    assert detail.json()["body"] == long_body


def test_page_size_is_capped_at_one_hundred(
    api_client: APIClient, jwks_server: object, author: Author
) -> None:
    published_articles(101, author_id=author.id)

    response = api_client.get(LIST_URL, {"page_size": 1000})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 100
    assert response.json()["next"] is not None


def test_sparse_fields_return_only_the_requested_ones(
    api_client: APIClient, jwks_server: object, author: Author
) -> None:
    article = published(author.id)

    listed = api_client.get(LIST_URL, {"fields": "id,title"})
    detail = api_client.get(detail_url(article.id), {"fields": "slug,author_display_name"})

    assert listed.json()["results"] == [{"id": str(article.id), "title": article.title}]
    assert detail.json() == {"slug": article.slug, "author_display_name": "Ada Lovelace"}


@pytest.mark.parametrize(("name", "value"), [("cursor", ""), ("fields", ""), ("author", "")])
def test_list_rejects_an_empty_query_parameter_with_a_400(
    api_client: APIClient, jwks_server: object, author: Author, name: str, value: str
) -> None:
    published(author.id)

    response = api_client.get(LIST_URL, {name: value})

    body = assert_problem(response, status=400, code="validation_error")
    assert [error["field"] for error in body["errors"]] == [name]


def test_sparse_fields_reject_an_unknown_name(
    api_client: APIClient, jwks_server: object, author: Author
) -> None:
    published(author.id)

    response = api_client.get(LIST_URL, {"fields": "id,password"})

    assert_problem(response, status=400, code="validation_error")


# Retrieve


def test_anyone_reads_a_published_article(
    api_client: APIClient, jwks_server: object, author: Author
) -> None:
    article = published(author.id)

    response = api_client.get(detail_url(article.id))

    assert response.status_code == 200
    assert response.json()["id"] == str(article.id)


def test_author_reads_their_own_draft(authed_client: AuthedClient, author: Author) -> None:
    article = draft(author.id)

    response = authed_client(author.id).get(detail_url(article.id))

    assert response.status_code == 200
    assert response.json()["status"] == "draft"


def test_someone_elses_draft_is_not_found(
    authed_client: AuthedClient, api_client: APIClient, author: Author, other_author: Author
) -> None:
    article = draft(other_author.id)

    as_user = authed_client(author.id).get(detail_url(article.id))
    as_anonymous = api_client.get(detail_url(article.id))

    assert_problem(as_user, status=404, code="not_found")
    assert_problem(as_anonymous, status=404, code="not_found")


def test_unknown_article_is_not_found(authed_client: AuthedClient, author: Author) -> None:
    response = authed_client(author.id).get(detail_url(uuid4()))

    assert_problem(response, status=404, code="not_found")


# Update


def test_author_patches_the_title_and_the_slug_stays(
    authed_client: AuthedClient, author: Author
) -> None:
    article = draft(author.id, title="Old title")

    response = authed_client(author.id).patch(
        detail_url(article.id), {"title": "New title"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "New title"
    assert response.json()["slug"] == "old-title"
    assert response.json()["body"] == "text"


def test_put_replaces_title_and_body(authed_client: AuthedClient, author: Author) -> None:
    article = draft(author.id)

    response = authed_client(author.id).put(
        detail_url(article.id), {"title": "Whole", "body": "new body"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["body"]) == ("Whole", "new body")


def test_put_requires_every_field(authed_client: AuthedClient, author: Author) -> None:
    article = draft(author.id)

    response = authed_client(author.id).put(
        detail_url(article.id), {"title": "Only a title"}, format="json"
    )

    body = assert_problem(response, status=400, code="validation_error")
    assert [error["field"] for error in body["errors"]] == ["body"]


@pytest.mark.parametrize(
    ("make_article", "status", "code"),
    [(published, 403, "permission_denied"), (draft, 404, "not_found")],
    ids=["published-is-forbidden", "draft-is-not-found"],
)
def test_changing_someone_elses_article_changes_nothing(
    authed_client: AuthedClient,
    author: Author,
    other_author: Author,
    make_article: Callable[[UUID], Article],
    status: int,
    code: str,
) -> None:
    article = make_article(other_author.id)
    client = authed_client(author.id)

    patched = client.patch(detail_url(article.id), {"title": "Mine now"}, format="json")
    deleted = client.delete(detail_url(article.id))

    assert_problem(patched, status=status, code=code)
    assert_problem(deleted, status=status, code=code)
    article.refresh_from_db()
    assert article.title != "Mine now"
    assert article.deleted_at is None


# Delete


def test_author_soft_deletes_an_article(authed_client: AuthedClient, author: Author) -> None:
    article = published(author.id)
    client = authed_client(author.id)

    response = client.delete(detail_url(article.id))

    assert response.status_code == 204
    assert_problem(client.get(detail_url(article.id)), status=404, code="not_found")
    assert Article.all_objects.get(id=article.id).deleted_at is not None


# Bad input and authentication


def test_malformed_json_is_rejected(authed_client: AuthedClient, author: Author) -> None:
    response = authed_client(author.id, roles=AUTHOR).post(
        LIST_URL, data='{"title": "x",', content_type="application/json"
    )

    assert_problem(response, status=400, code="malformed_json")


def test_unknown_fields_are_rejected(authed_client: AuthedClient, author: Author) -> None:
    response = authed_client(author.id, roles=AUTHOR).post(
        LIST_URL,
        {"title": "x", "body": "y", "author_id": str(uuid4()), "slug": "chosen"},
        format="json",
    )

    body = assert_problem(response, status=400, code="unknown_field")
    assert {error["field"] for error in body["errors"]} == {"author_id", "slug"}
    assert not Article.all_objects.exists()


@pytest.mark.parametrize(
    ("payload", "bad_field"),
    [
        ({"title": ["a list"], "body": "x"}, "title"),
        ({"title": "x", "body": {"an": "object"}}, "body"),
        ({"title": "x", "body": "y", "tag_ids": "not-a-list"}, "tag_ids"),
        ({"title": "", "body": "y"}, "title"),
        ({"title": "t" * 201, "body": "y"}, "title"),
        ({"body": "y"}, "title"),
    ],
)
def test_invalid_input_is_a_validation_error(
    authed_client: AuthedClient, author: Author, payload: dict[str, Any], bad_field: str
) -> None:
    response = authed_client(author.id, roles=AUTHOR).post(LIST_URL, payload, format="json")

    body = assert_problem(response, status=400, code="validation_error")
    assert [error["field"] for error in body["errors"]] == [bad_field]


def test_writing_requires_authentication(
    api_client: APIClient, jwks_server: object, author: Author
) -> None:
    article = published(author.id)

    created = api_client.post(LIST_URL, {"title": "x", "body": "y"}, format="json")
    patched = api_client.patch(detail_url(article.id), {"title": "x"}, format="json")
    deleted = api_client.delete(detail_url(article.id))

    for response in (created, patched, deleted):
        assert_problem(response, status=401, code="not_authenticated")
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_rejected(make_token: MakeToken, author: Author) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(sub=author.id, exp_delta=-60)}")

    response = client.post(LIST_URL, {"title": "x", "body": "y"}, format="json")

    assert_problem(response, status=401, code="token_expired")


def test_forged_token_is_rejected_even_on_anonymous_reads(
    jwks_server: object, author: Author
) -> None:
    # Same key id as the real key, different private key: the signature cannot verify.
    forger = SigningKey.generate(kid="test-key-1")
    token = sign_token(forger, issuer=TEST_ISSUER, audience=TEST_AUDIENCE, sub=author.id)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    created = client.post(LIST_URL, {"title": "x", "body": "y"}, format="json")
    listed = client.get(LIST_URL)

    assert_problem(created, status=401, code="invalid_token")
    assert_problem(listed, status=401, code="invalid_token")


def test_deeply_nested_json_body_is_a_400_malformed_json(
    authed_client: AuthedClient, author: Author
) -> None:
    depth = 100_000
    body = '{"title": ' + "[" * depth + "]" * depth + "}"

    response = authed_client(author.id, roles=AUTHOR).post(
        "/api/v1/content/articles/", body, content_type="application/json"
    )

    assert_problem(response, status=400, code="malformed_json")
