import threading
from uuid import uuid4

import pytest
from django.db import connection, transaction

from content.articles.models import SLUG_MAX_LENGTH, TITLE_MAX_LENGTH, Article, ArticleStatus
from content.articles.services import article_create, article_delete, article_update
from platform_common.api.errors import PermissionDeniedError

pytestmark = pytest.mark.django_db


def test_a_deleted_articles_slug_is_not_reused() -> None:
    author_id = uuid4()
    gone = article_create(author_id=author_id, title="Reused title", body="x")
    article_delete(article_id=gone.id, actor_id=author_id)

    fresh = article_create(author_id=author_id, title="Reused title", body="x")

    assert gone.slug == "reused-title"
    assert fresh.slug.startswith("reused-title-")
    assert Article.all_objects.filter(slug="reused-title").count() == 1


def test_a_title_without_sluggable_characters_gets_a_fallback_slug() -> None:
    article = article_create(author_id=uuid4(), title="!!! ???", body="x")

    assert article.slug == "article"


def test_a_maximal_title_still_gets_a_suffixed_slug() -> None:
    title = "a" * TITLE_MAX_LENGTH
    author_id = uuid4()
    first = article_create(author_id=author_id, title=title, body="x")

    second = article_create(author_id=author_id, title=title, body="x")

    assert first.slug == title
    assert second.slug.startswith(f"{title}-")
    assert len(second.slug) <= SLUG_MAX_LENGTH


def test_only_the_author_changes_a_published_article() -> None:
    article = article_create(
        author_id=uuid4(), title="Mine", body="x", status=ArticleStatus.PUBLISHED
    )

    with pytest.raises(PermissionDeniedError) as refused:
        article_update(article_id=article.id, actor_id=uuid4(), title="Yours")

    assert refused.value.code == "permission_denied"


@pytest.mark.django_db(transaction=True)
def test_losing_a_slug_race_to_a_concurrent_insert_picks_another_slug() -> None:
    author_id = uuid4()
    inserted, release = threading.Event(), threading.Event()

    def concurrent_writer() -> None:
        # Holds an uncommitted row with the same slug: invisible to the existence check,
        # but the unique index makes our insert wait for this commit and then fail.
        try:
            with transaction.atomic():
                Article.objects.create(author_id=author_id, title="Race", slug="race", body="x")
                inserted.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    writer = threading.Thread(target=concurrent_writer)
    writer.start()
    assert inserted.wait(timeout=10)
    threading.Timer(0.3, release.set).start()

    article = article_create(author_id=author_id, title="Race", body="x")

    writer.join(timeout=10)
    assert article.slug.startswith("race-")
    assert Article.objects.filter(slug__startswith="race").count() == 2
