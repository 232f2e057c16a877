import csv
import io
from typing import Any
from uuid import uuid4

import pytest
from django.db.models.functions import Now
from django.test import Client

from content.articles.models import Article, ArticleStatus
from content.articles.services import article_create
from content.authors.models import Author
from platform_common.events.models import OutboxMessage

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"


def test_the_change_list_searches_titles(admin_client: Client, author: Author) -> None:
    article_create(author_id=author.id, title="Needle in a haystack", body="x")
    article_create(author_id=author.id, title="Hay only", body="x")

    response = admin_client.get(CHANGELIST, {"q": "needle"})

    assert response.status_code == 200
    assert b"Needle in a haystack" in response.content
    assert b"Hay only" not in response.content


@pytest.mark.parametrize("count", [1, 50])
def test_the_change_list_runs_a_fixed_number_of_queries(
    admin_client: Client, count: int, django_assert_num_queries: Any
) -> None:
    for index in range(count):
        article_create(author_id=uuid4(), title=f"Piece {index}", body="x")
    admin_client.get(CHANGELIST)  # the session and the user are loaded and cached

    # The user, COUNTs, the page joined to its counters, the date hierarchy (the session
    # lives in the cache): the same six whatever the page holds, never a query per row.
    with django_assert_num_queries(6):
        response = admin_client.get(CHANGELIST)

    assert response.status_code == 200


def in_status(author: Author, status: ArticleStatus, title: str) -> Article:
    article = article_create(author_id=author.id, title=title, body="x")
    published_at = None if status in {ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW} else Now()
    Article.objects.filter(id=article.id).update(status=status, published_at=published_at)
    return article


def test_bulk_publish_goes_through_the_workflow(staff_client: Client, author: Author) -> None:
    in_review = [in_status(author, ArticleStatus.IN_REVIEW, f"R{i}") for i in range(2)]
    draft = in_status(author, ArticleStatus.DRAFT, "Stays")

    response = staff_client.post(
        CHANGELIST,
        {"action": "publish", "_selected_action": [str(a.id) for a in [*in_review, draft]]},
    )

    assert response.status_code == 302
    published = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    assert set(published.values_list("id", flat=True)) == {article.id for article in in_review}
    assert all(article.published_at is not None for article in published)
    events = OutboxMessage.objects.filter(event_type="content.article.published")
    assert {message.envelope["aggregate_id"] for message in events} == {
        str(article.id) for article in in_review
    }
    assert Article.objects.get(id=draft.id).status == ArticleStatus.DRAFT  # not in review


def test_bulk_archive_archives_the_published_ones(staff_client: Client, author: Author) -> None:
    published = in_status(author, ArticleStatus.PUBLISHED, "Old news")

    staff_client.post(CHANGELIST, {"action": "archive", "_selected_action": [str(published.id)]})

    assert Article.objects.get(id=published.id).status == ArticleStatus.ARCHIVED
    assert OutboxMessage.objects.filter(event_type="content.article.archived").count() == 1


def test_a_local_user_without_an_accounts_identity_changes_nothing(
    admin_client: Client, author: Author
) -> None:
    article = in_status(author, ArticleStatus.IN_REVIEW, "Waits")

    admin_client.post(CHANGELIST, {"action": "publish", "_selected_action": [str(article.id)]})

    assert Article.objects.get(id=article.id).status == ArticleStatus.IN_REVIEW


def test_csv_export_holds_the_selected_articles(admin_client: Client, author: Author) -> None:
    article = article_create(author_id=author.id, title="=Exported, with a comma", body="x")

    response = admin_client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [str(article.id)]}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["id", "title", "status", "author_id", "published_at", "created_at"]
    # A cell that would run as a spreadsheet formula is quoted out.
    assert rows[1][:4] == [str(article.id), "'=Exported, with a comma", "draft", str(author.id)]
