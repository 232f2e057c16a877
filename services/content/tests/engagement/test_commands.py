from io import StringIO

import pytest
from django.core.management import call_command

from content.articles.models import Article, ArticleStatus
from content.comments.models import Comment, CommentStatus
from content.engagement.models import ArticleEngagement, Reaction
from platform_common.events.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_demo_content_once() -> None:
    output = StringIO()

    call_command("seed_demo", stdout=output)
    counts = (Article.objects.count(), Comment.objects.count(), Reaction.objects.count())
    call_command("seed_demo", stdout=output)

    assert counts[0] == 36
    assert counts[1] > 36
    assert counts[2] > 36
    assert (Article.objects.count(), Comment.objects.count(), Reaction.objects.count()) == counts
    assert Article.objects.filter(status=ArticleStatus.DRAFT).exists()
    assert Comment.objects.filter(parent__isnull=False).exists()
    assert "already exists" in output.getvalue()
    assert not OutboxMessage.objects.exists()


def test_seed_demo_counters_match_the_rows() -> None:
    call_command("seed_demo", stdout=StringIO())

    for engagement in ArticleEngagement.objects.all():
        comments = Comment.objects.filter(
            article_id=engagement.article_id, status=CommentStatus.APPROVED
        ).count()
        likes = Reaction.objects.filter(article_id=engagement.article_id, kind="like").count()
        assert (engagement.comment_count, engagement.like_count) == (comments, likes)
    assert ArticleEngagement.objects.filter(comment_count__gt=0).exists()
