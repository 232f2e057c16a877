"""The workflow: every allowed and forbidden transition, by role; scheduled publishing."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from content.articles.models import Article, ArticleStatus
from content.articles.services import article_create
from content.articles.workflow import article_publish, article_publish_due, article_reject
from content.taxonomy.services import category_create
from platform_common.auth.jwt import Principal
from platform_common.events.models import OutboxMessage
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db

AuthedClient = Callable[..., APIClient]
AUTHOR = uuid4()
EDITOR = Principal(id=uuid4(), roles=frozenset({"editor"}))
ACTIONS = ("submit", "reject", "publish", "archive")
# From each status, the one action allowed and where it leads; every other action is a 409.
ALLOWED = {
    ArticleStatus.DRAFT: ("submit", ArticleStatus.IN_REVIEW),
    ArticleStatus.IN_REVIEW: ("publish", ArticleStatus.PUBLISHED),
    ArticleStatus.PUBLISHED: ("archive", ArticleStatus.ARCHIVED),
    ArticleStatus.ARCHIVED: (None, ArticleStatus.ARCHIVED),
}
EDITOR_ACTIONS = {"reject", "publish", "archive"}
EVENT_OF = {
    "submit": "content.article.submitted",
    "reject": "content.article.rejected",
    "publish": "content.article.published",
    "archive": "content.article.archived",
}


def url(article_id: UUID, action: str) -> str:
    return f"/api/v1/content/articles/{article_id}/{action}/"


def article_in(status: ArticleStatus) -> Article:
    article = article_create(author_id=AUTHOR, title="Piece", body="Body")
    Article.objects.filter(id=article.id).update(
        status=status, published_at=None if status == ArticleStatus.DRAFT else timezone.now()
    )
    article.refresh_from_db()
    return article


def payload(action: str) -> dict[str, Any]:
    return {"reason": "Needs sources."} if action == "reject" else {}


def events(article: Article) -> list[dict[str, Any]]:
    return [
        message.envelope
        for message in OutboxMessage.objects.filter(envelope__aggregate_id=str(article.id))
    ]


def client_for(authed_client: AuthedClient, action: str) -> APIClient:
    if action in EDITOR_ACTIONS:
        return authed_client(EDITOR.id, roles=("reader", "editor"))
    return authed_client(AUTHOR, roles=("reader", "author"))


@pytest.mark.parametrize("status", list(ALLOWED))
@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_from_each_status(
    authed_client: AuthedClient, status: ArticleStatus, action: str
) -> None:
    article = article_in(status)
    allowed_action, target = ALLOWED[status]
    if status == ArticleStatus.IN_REVIEW and action == "reject":
        allowed_action, target = "reject", ArticleStatus.DRAFT

    response = client_for(authed_client, action).post(
        url(article.id, action), payload(action), format="json"
    )

    article.refresh_from_db()
    if action == allowed_action:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == target
        assert article.status == target
        assert [event["type"] for event in events(article)] == [EVENT_OF[action]]
    else:
        body = assert_problem(response, status=409, code="invalid_transition")
        assert body["current_status"] == status
        assert article.status == status
        assert events(article) == []


@pytest.mark.parametrize(
    ("action", "status", "roles", "caller"),
    [
        ("submit", ArticleStatus.DRAFT, ("reader", "editor"), "editor"),
        ("reject", ArticleStatus.IN_REVIEW, ("reader", "author"), "author"),
        ("publish", ArticleStatus.IN_REVIEW, ("reader", "author"), "author"),
        ("archive", ArticleStatus.PUBLISHED, ("reader", "author"), "author"),
        ("archive", ArticleStatus.PUBLISHED, ("reader",), "reader"),
    ],
)
def test_a_transition_by_the_wrong_role_is_forbidden(
    authed_client: AuthedClient,
    action: str,
    status: ArticleStatus,
    roles: tuple[str, ...],
    caller: str,
) -> None:
    article = article_in(status)
    caller_id = AUTHOR if caller == "author" else uuid4()

    response = authed_client(caller_id, roles=roles).post(
        url(article.id, action), payload(action), format="json"
    )

    assert_problem(response, status=403, code="permission_denied")
    article.refresh_from_db()
    assert article.status == status


def test_rejection_needs_a_reason_and_keeps_it(authed_client: AuthedClient) -> None:
    article = article_in(ArticleStatus.IN_REVIEW)
    editor = authed_client(EDITOR.id, roles=("editor",))

    missing = editor.post(url(article.id, "reject"), {}, format="json")
    rejected = editor.post(url(article.id, "reject"), {"reason": "Needs sources."}, format="json")

    assert_problem(missing, status=400, code="validation_error")
    assert rejected.status_code == 200
    article.refresh_from_db()
    assert (article.status, article.rejection_reason) == (ArticleStatus.DRAFT, "Needs sources.")
    assert events(article)[0]["data"]["reason"] == "Needs sources."


def test_the_published_event_carries_what_consumers_need(authed_client: AuthedClient) -> None:
    article = article_in(ArticleStatus.IN_REVIEW)
    category = category_create(name="Science")
    Article.objects.filter(id=article.id).update(category_id=category.id)

    authed_client(EDITOR.id, roles=("editor",)).post(url(article.id, "publish"), {}, format="json")

    (event,) = events(article)
    article.refresh_from_db()
    assert event["type"] == "content.article.published"
    assert event["aggregate_version"] == article.version
    assert event["data"] == {
        "article_id": str(article.id),
        "author_id": str(AUTHOR),
        "category_id": str(category.id),  # notifications tells the category's followers
        "title": "Piece",
        "slug": article.slug,
        "summary": "",
        "published_at": article.published_at.isoformat(),  # type: ignore[union-attr]
        "editor_id": str(EDITOR.id),
    }


def test_scheduled_publishing_waits_for_its_time() -> None:
    article = article_in(ArticleStatus.IN_REVIEW)
    Article.objects.filter(id=article.id).update(published_at=None)
    clock = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.get_current_timezone())
    publish_at = clock + timedelta(hours=1)

    article_publish(article_id=article.id, actor=EDITOR, publish_at=publish_at, now=clock)
    early = article_publish_due(now=clock + timedelta(minutes=59))
    status_before = Article.objects.get(id=article.id).status
    on_time = article_publish_due(now=publish_at)
    again = article_publish_due(now=publish_at + timedelta(minutes=1))

    published = Article.objects.get(id=article.id)
    assert (early, on_time, again) == (0, 1, 0)
    assert status_before == ArticleStatus.IN_REVIEW
    assert published.status == ArticleStatus.PUBLISHED
    assert published.published_at == publish_at
    assert published.publish_at is None
    assert [event["type"] for event in events(article)] == ["content.article.published"]
    assert events(article)[0]["data"]["editor_id"] == str(EDITOR.id)


def test_a_rejected_scheduled_article_is_not_published_later() -> None:
    article = article_in(ArticleStatus.IN_REVIEW)
    clock = timezone.now()
    article_publish(
        article_id=article.id, actor=EDITOR, publish_at=clock + timedelta(hours=1), now=clock
    )
    article_reject(article_id=article.id, actor=EDITOR, reason="Not yet.")

    assert article_publish_due(now=clock + timedelta(hours=2)) == 0
    assert Article.objects.get(id=article.id).status == ArticleStatus.DRAFT


def test_an_archived_article_is_not_edited(authed_client: AuthedClient) -> None:
    article = article_in(ArticleStatus.ARCHIVED)

    response = authed_client(AUTHOR).patch(
        f"/api/v1/content/articles/{article.id}/", {"title": "Revived"}, format="json"
    )

    assert_problem(response, status=409, code="not_editable")
