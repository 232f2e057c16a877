import csv
import io
from collections.abc import Iterator
from typing import Any, cast
from uuid import uuid4

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from content.articles.models import Article, ArticleStatus
from content.articles.services import article_create
from content.authors.models import Author

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

    # Session, user, COUNTs, the page joined to its counters, the date hierarchy: the
    # same seven whatever the page holds, never a query per row.
    with django_assert_num_queries(7):
        response = admin_client.get(CHANGELIST)

    assert response.status_code == 200


def test_bulk_publish_publishes_the_selected_drafts(admin_client: Client, author: Author) -> None:
    drafts = [article_create(author_id=author.id, title=f"D{i}", body="x") for i in range(2)]
    untouched = article_create(author_id=author.id, title="Stays", body="x")

    response = admin_client.post(
        CHANGELIST,
        {"action": "publish", "_selected_action": [str(article.id) for article in drafts]},
    )

    assert response.status_code == 302
    published = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    assert set(published.values_list("id", flat=True)) == {article.id for article in drafts}
    assert all(article.published_at is not None for article in published)
    untouched.refresh_from_db()
    assert untouched.status == ArticleStatus.DRAFT


def test_csv_export_has_the_change_list_columns(admin_client: Client, author: Author) -> None:
    article = article_create(author_id=author.id, title="Exported, with a comma", body="x")

    response = admin_client.post(
        CHANGELIST, {"action": "export_as_csv", "_selected_action": [str(article.id)]}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert isinstance(response, StreamingHttpResponse)
    content = b"".join(cast(Iterator[bytes], response.streaming_content)).decode()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == ["Title", "Status", "Author id", "Published at", "Created at", "Comments"]
    assert rows[1][:3] == ["Exported, with a comma", "draft", str(article.author_id)]
    assert rows[1][5] == "0"
