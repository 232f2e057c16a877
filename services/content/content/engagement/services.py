"""Write side of engagement: reactions, bookmarks and the article counters."""

from uuid import UUID

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest, Now

from content.articles.models import Article
from content.articles.selectors import article_visible_queryset
from content.caching import public_cache_invalidate
from content.engagement.models import (
    ArticleEngagement,
    Bookmark,
    Reaction,
    ReactionKind,
    reaction_count_field,
)
from platform_common.api.selectors import get_object_or_not_found
from platform_common.auth.jwt import Principal


def article_counters_add(*, article_id: UUID, **deltas: int) -> None:
    """Add ``deltas`` (``comment_count=1``, ``like_count=-1``...) to the article's counters,
    in the caller's transaction, and move its ``changed_at``."""
    # Created on first use: articles are written by another app, which knows nothing of us.
    ArticleEngagement.objects.bulk_create(
        [ArticleEngagement(article_id=article_id)], ignore_conflicts=True
    )
    ArticleEngagement.objects.filter(article_id=article_id).update(
        changed_at=Now(),
        # Never below zero, even if rows were ever removed behind the services' back.
        **{name: Greatest(F(name) + delta, 0) for name, delta in deltas.items()},
    )


def _readable_article(*, article_id: UUID, user: Principal) -> Article:
    return get_object_or_not_found(
        article_visible_queryset(viewer=user), id=article_id, message="Article not found."
    )


def reaction_add(*, article_id: UUID, user: Principal, kind: ReactionKind) -> bool:
    """React to an article ``user`` may read; True when new, False when already there."""
    with transaction.atomic():
        article = _readable_article(article_id=article_id, user=user)
        _, created = Reaction.objects.get_or_create(article=article, user_id=user.id, kind=kind)
        if created:
            article_counters_add(article_id=article.id, **{reaction_count_field(kind): 1})
            public_cache_invalidate(article_id=article.id)
    return created


def reaction_remove(*, article_id: UUID, user: Principal, kind: ReactionKind) -> None:
    """Withdraw the reaction; withdrawing one that is not there changes nothing."""
    with transaction.atomic():
        article = _readable_article(article_id=article_id, user=user)
        deleted, _ = Reaction.objects.filter(article=article, user_id=user.id, kind=kind).delete()
        if deleted:
            article_counters_add(article_id=article.id, **{reaction_count_field(kind): -1})
            public_cache_invalidate(article_id=article.id)


def bookmark_add(*, article_id: UUID, user: Principal) -> bool:
    """Keep an article ``user`` may read in their list; True when new."""
    with transaction.atomic():
        article = _readable_article(article_id=article_id, user=user)
        _, created = Bookmark.objects.get_or_create(article=article, user_id=user.id)
    return created


def bookmark_remove(*, article_id: UUID, user: Principal) -> None:
    Bookmark.objects.filter(article_id=article_id, user_id=user.id).delete()
