from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from content.articles.models import Article, ArticleStatus
from content.articles.services import article_create
from content.authors.models import Author
from content.comments.models import Comment, CommentStatus
from platform_common.events.models import OutboxMessage
from tests.factories import approved_comments
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db

AuthedClient = Callable[..., APIClient]
QUEUE_URL = "/api/v1/content/comments/moderation/"
XSS = '<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:x">y</a>'


def thread_url(article_id: UUID) -> str:
    return f"/api/v1/content/articles/{article_id}/comments/"


def comment_url(comment_id: UUID | str) -> str:
    return f"/api/v1/content/comments/{comment_id}/"


def moderation_url(comment_id: UUID | str) -> str:
    return f"/api/v1/content/comments/{comment_id}/moderation/"


@pytest.fixture
def article(author: Author) -> Article:
    return article_create(
        author_id=author.id, title="Commented", body="text", status=ArticleStatus.PUBLISHED
    )


@pytest.fixture
def editor(authed_client: AuthedClient) -> APIClient:
    return authed_client(uuid4(), roles=("reader", "editor"))


def write(client: APIClient, article: Article, body: str = "Nice.", **extra: Any) -> Any:
    return client.post(thread_url(article.id), {"body": body, **extra}, format="json")


def outbox(event_type: str) -> list[dict[str, Any]]:
    return [
        message.envelope["data"]
        for message in OutboxMessage.objects.filter(event_type=event_type).order_by("created_at")
    ]


# Create


def test_a_readers_comment_waits_for_moderation_and_announces_itself(
    authed_client: AuthedClient, api_client: APIClient, article: Article, author: Author
) -> None:
    reader_id = uuid4()

    response = write(authed_client(reader_id), article, "First!")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["author_id"] == str(reader_id)
    assert body["reply_count"] == 0
    assert api_client.get(thread_url(article.id)).json()["results"] == []
    assert outbox("content.comment.created") == [
        {
            "comment_id": body["id"],
            "article_id": str(article.id),
            "article_author_id": str(author.id),
            "comment_author_id": str(reader_id),
            "parent_comment_id": None,
            "parent_comment_author_id": None,
            "status": "pending",
        }
    ]


def test_an_editors_comment_is_approved_at_once(editor: APIClient, article: Article) -> None:
    response = write(editor, article)

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "approved"


def test_a_reply_names_its_parent_and_its_author(
    authed_client: AuthedClient, article: Article
) -> None:
    parent_author = uuid4()
    parent = approved_comments(1, article=article, author_id=parent_author)[0]

    response = write(authed_client(), article, "Agreed.", parent_id=str(parent.id))

    assert response.status_code == 201, response.content
    assert response.json()["parent_id"] == str(parent.id)
    event = outbox("content.comment.created")[0]
    assert event["parent_comment_id"] == str(parent.id)
    assert event["parent_comment_author_id"] == str(parent_author)


@pytest.mark.parametrize("parent_status", [CommentStatus.PENDING, CommentStatus.SPAM])
def test_a_reply_to_an_unapproved_comment_is_refused(
    authed_client: AuthedClient, article: Article, parent_status: CommentStatus
) -> None:
    parent = approved_comments(1, article=article, status=parent_status)[0]

    response = write(authed_client(), article, parent_id=str(parent.id))

    assert_problem(response, status=400, code="comment_invalid_parent")
    assert not Comment.objects.filter(parent=parent).exists()


def test_a_reply_to_a_comment_of_another_article_is_refused(
    authed_client: AuthedClient, article: Article, author: Author
) -> None:
    elsewhere = article_create(
        author_id=author.id, title="Other", body="x", status=ArticleStatus.PUBLISHED
    )
    parent = approved_comments(1, article=elsewhere)[0]

    response = write(authed_client(), article, parent_id=str(parent.id))

    assert_problem(response, status=400, code="comment_invalid_parent")


def test_drafts_take_no_comments(authed_client: AuthedClient, author: Author) -> None:
    draft = article_create(author_id=author.id, title="Draft", body="x")

    by_its_author = write(authed_client(author.id), draft)
    by_a_stranger = write(authed_client(), draft)

    assert_problem(by_its_author, status=409, code="comments_closed")
    assert_problem(by_a_stranger, status=404, code="not_found")
    assert not Comment.objects.exists()


def test_anonymous_callers_cannot_comment(
    api_client: APIClient, jwks_server: object, article: Article
) -> None:
    assert_problem(write(api_client, article), status=401, code="not_authenticated")


def test_markup_in_a_comment_comes_back_inert(editor: APIClient, article: Article) -> None:
    created = write(editor, article, f"Look:\n{XSS}").json()

    listed = editor.get(thread_url(article.id)).json()["results"][0]

    assert created["body"] == listed["body"] == f"Look:\n{XSS}"
    html = listed["body_html"]
    assert "<script" not in html
    assert "<img" not in html
    assert "<a " not in html
    assert "&lt;script&gt;" in html
    assert html.startswith("<p>Look:<br>")


def test_the_comment_rate_limit_refuses_with_retry_after(
    authed_client: AuthedClient, article: Article, settings: Settings
) -> None:
    settings.COMMENT_RATE_LIMIT = 2
    client = authed_client()

    statuses = [write(client, article).status_code for _ in range(2)]
    refused = write(client, article)
    someone_else = write(authed_client(), article)

    assert statuses == [201, 201]
    assert_problem(refused, status=429, code="rate_limited")
    assert 1 <= int(refused["Retry-After"]) <= settings.COMMENT_RATE_WINDOW_SECONDS
    assert someone_else.status_code == 201
    assert Comment.objects.count() == 3


# Thread


def test_the_thread_lists_approved_top_level_comments_with_reply_counts(
    api_client: APIClient, jwks_server: object, article: Article
) -> None:
    first, second = approved_comments(2, article=article)
    approved_comments(2, article=article, parent=first)
    approved_comments(1, article=article, parent=first, status=CommentStatus.PENDING)
    approved_comments(1, article=article, status=CommentStatus.REJECTED)

    top = api_client.get(thread_url(article.id)).json()["results"]
    replies = api_client.get(thread_url(article.id), {"replies_to": str(first.id)}).json()[
        "results"
    ]

    assert [(item["id"], item["reply_count"]) for item in top] == [
        (str(first.id), 2),
        (str(second.id), 0),
    ]
    assert len(replies) == 2
    assert {item["parent_id"] for item in replies} == {str(first.id)}


@pytest.mark.parametrize("count", [1, 50])
def test_the_thread_runs_a_fixed_number_of_queries(
    api_client: APIClient,
    jwks_server: object,
    article: Article,
    count: int,
    django_assert_num_queries: Any,
) -> None:
    for comment in approved_comments(count, article=article):
        approved_comments(1, article=article, parent=comment)

    # The article's visibility, then one SELECT with names and reply counts as subqueries.
    with django_assert_num_queries(2):
        response = api_client.get(thread_url(article.id), {"page_size": 50})

    assert len(response.json()["results"]) == count


def test_the_thread_follows_its_cursor(
    api_client: APIClient, jwks_server: object, article: Article
) -> None:
    approved_comments(3, article=article)

    first = api_client.get(thread_url(article.id), {"page_size": 2}).json()
    second = api_client.get(first["next"]).json()

    assert len(first["results"]) == 2
    assert len(second["results"]) == 1
    assert second["next"] is None


# Edit and delete


def test_the_author_edits_within_the_window(authed_client: AuthedClient, article: Article) -> None:
    user = uuid4()
    client = authed_client(user)
    comment = write(client, article, "Tpyo").json()

    response = client.put(comment_url(comment["id"]), {"body": "Typo"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["body"] == "Typo"
    assert response.json()["edited_at"] is not None


def test_editing_after_the_window_is_a_conflict(
    authed_client: AuthedClient, article: Article, settings: Settings
) -> None:
    user = uuid4()
    [comment] = approved_comments(1, article=article, author_id=user)
    Comment.objects.filter(id=comment.id).update(
        created_at=timezone.now() - settings.COMMENT_EDIT_WINDOW - timedelta(seconds=1)
    )

    response = authed_client(user).put(comment_url(comment.id), {"body": "Late"}, format="json")

    assert_problem(response, status=409, code="comment_edit_window_closed")
    comment.refresh_from_db()
    assert comment.body != "Late"


@pytest.mark.parametrize("roles", [("reader",), ("reader", "editor")])
def test_only_the_author_edits(
    authed_client: AuthedClient, article: Article, roles: tuple[str, ...]
) -> None:
    [comment] = approved_comments(1, article=article)

    response = authed_client(roles=roles).put(
        comment_url(comment.id), {"body": "Mine"}, format="json"
    )

    assert_problem(response, status=403, code="permission_denied")


def test_the_author_and_editors_delete_others_do_not(
    authed_client: AuthedClient, editor: APIClient, article: Article
) -> None:
    user = uuid4()
    own, moderated = approved_comments(2, article=article, author_id=user)

    by_stranger = authed_client().delete(comment_url(own.id))
    by_author = authed_client(user).delete(comment_url(own.id))
    by_editor = editor.delete(comment_url(moderated.id))

    assert_problem(by_stranger, status=403, code="permission_denied")
    assert by_author.status_code == 204
    assert by_editor.status_code == 204
    assert Comment.objects.filter(article=article).count() == 0


def test_pending_comments_are_seen_by_their_author_and_editors_only(
    authed_client: AuthedClient, editor: APIClient, api_client: APIClient, article: Article
) -> None:
    user = uuid4()
    [comment] = approved_comments(1, article=article, author_id=user, status="pending")

    assert authed_client(user).get(comment_url(comment.id)).status_code == 200
    assert editor.get(comment_url(comment.id)).status_code == 200
    assert_problem(authed_client().get(comment_url(comment.id)), status=404, code="not_found")
    assert_problem(api_client.get(comment_url(comment.id)), status=404, code="not_found")


# Moderation


def test_editors_read_the_queue_oldest_first(editor: APIClient, article: Article) -> None:
    pending = approved_comments(3, article=article, status=CommentStatus.PENDING)
    approved_comments(1, article=article)

    response = editor.get(QUEUE_URL)

    assert response.status_code == 200, response.content
    assert [item["id"] for item in response.json()["results"]] == [str(c.id) for c in pending]
    assert response.json()["count"] == 3


@pytest.mark.parametrize("roles", [("reader",), ("reader", "author")])
def test_only_editors_moderate(
    authed_client: AuthedClient, article: Article, roles: tuple[str, ...]
) -> None:
    [comment] = approved_comments(1, article=article, status=CommentStatus.PENDING)
    client = authed_client(roles=roles)

    queue = client.get(QUEUE_URL)
    decision = client.post(moderation_url(comment.id), {"status": "approved"}, format="json")

    assert_problem(queue, status=403, code="permission_denied")
    assert_problem(decision, status=403, code="permission_denied")
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING


def test_approving_publishes_the_comment_and_announces_the_decision(
    editor: APIClient,
    api_client: APIClient,
    article: Article,
    author: Author,
    django_capture_on_commit_callbacks: Any,
) -> None:
    [comment] = approved_comments(1, article=article, status=CommentStatus.PENDING)
    assert api_client.get(thread_url(article.id)).json()["results"] == []

    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(moderation_url(comment.id), {"status": "approved"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    listed = api_client.get(thread_url(article.id)).json()["results"]
    assert [item["id"] for item in listed] == [str(comment.id)]
    [event] = outbox("content.comment.moderated")
    assert event["status"] == "approved"
    assert event["previous_status"] == "pending"
    assert event["article_author_id"] == str(author.id)
    assert event["comment_author_id"] == str(comment.author_id)


def test_marking_as_spam_withdraws_an_approved_comment(
    editor: APIClient, api_client: APIClient, article: Article
) -> None:
    [comment] = approved_comments(1, article=article)

    response = editor.post(moderation_url(comment.id), {"status": "spam"}, format="json")

    assert response.json()["status"] == "spam"
    assert api_client.get(thread_url(article.id)).json()["results"] == []


def test_the_same_decision_twice_announces_once(editor: APIClient, article: Article) -> None:
    [comment] = approved_comments(1, article=article, status=CommentStatus.PENDING)

    for _ in range(2):
        editor.post(moderation_url(comment.id), {"status": "rejected"}, format="json")

    assert len(outbox("content.comment.moderated")) == 1


def test_pending_is_not_a_decision(editor: APIClient, article: Article) -> None:
    [comment] = approved_comments(1, article=article)

    response = editor.post(moderation_url(comment.id), {"status": "pending"}, format="json")

    assert_problem(response, status=400, code="validation_error")


@pytest.mark.parametrize("count", [1, 50])
def test_the_queue_runs_a_fixed_number_of_queries(
    editor: APIClient, article: Article, count: int, django_assert_num_queries: Any
) -> None:
    approved_comments(count, article=article, status=CommentStatus.PENDING)

    # One COUNT for the page, one SELECT with names and reply counts as subqueries.
    with django_assert_num_queries(2):
        response = editor.get(QUEUE_URL, {"page_size": 50})

    assert len(response.json()["results"]) == count


def test_comments_take_sparse_fieldsets(
    api_client: APIClient, jwks_server: object, article: Article
) -> None:
    [comment] = approved_comments(1, article=article, body="Short")

    response = api_client.get(thread_url(article.id), {"fields": "id,body"})

    assert response.json()["results"] == [{"id": str(comment.id), "body": "Short"}]
