import pytest
from django.test import Client

from content.articles.models import Article, ArticleStatus
from content.articles.services import article_create
from content.authors.models import Author
from content.comments.models import CommentStatus
from content.engagement.selectors import article_engagement
from platform_common.events.models import OutboxMessage
from tests.factories import approved_comments

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"


@pytest.fixture
def article(author: Author) -> Article:
    return article_create(
        author_id=author.id, title="Discussed", body="x", status=ArticleStatus.PUBLISHED
    )


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", "approved"), ("reject", "rejected"), ("mark_spam", "spam")],
)
def test_bulk_decisions_moderate_through_the_service(
    staff_client: Client, article: Article, action: str, status: str
) -> None:
    comments = approved_comments(2, article=article, status=CommentStatus.PENDING)

    response = staff_client.post(
        CHANGELIST, {"action": action, "_selected_action": [str(c.id) for c in comments]}
    )

    assert response.status_code == 302
    assert {c.status for c in article.comments.all()} == {status}
    assert OutboxMessage.objects.filter(event_type="content.comment.moderated").count() == 2
    approved = 2 if status == "approved" else 0
    article.refresh_from_db()
    assert article_engagement(article).comment_count == approved


def test_staff_without_an_accounts_identity_do_not_moderate(
    admin_client: Client, article: Article
) -> None:
    [comment] = approved_comments(1, article=article, status=CommentStatus.PENDING)

    admin_client.post(CHANGELIST, {"action": "approve", "_selected_action": [str(comment.id)]})

    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING
    assert not OutboxMessage.objects.exists()


def test_the_queue_filters_by_status_and_searches_bodies(
    staff_client: Client, article: Article
) -> None:
    approved_comments(1, article=article, body="Pending needle", status=CommentStatus.PENDING)
    approved_comments(1, article=article, body="Approved needle")

    response = staff_client.get(CHANGELIST, {"status__exact": "pending", "q": "needle"})

    assert response.status_code == 200
    assert b"Pending needle" in response.content
    assert b"Approved needle" not in response.content
