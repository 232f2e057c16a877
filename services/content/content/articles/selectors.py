"""Reads of articles. Visibility: everyone sees published articles, authors their own drafts."""

from uuid import UUID

from django.db.models import OuterRef, Q, QuerySet, Subquery

from content.articles.models import Article, ArticleStatus
from content.authors.models import Author
from platform_common.api.selectors import get_object_or_not_found


def article_visible_queryset(*, viewer_id: UUID | None) -> QuerySet[Article]:
    """Live articles ``viewer_id`` may read (anonymous when None)."""
    visible = Q(status=ArticleStatus.PUBLISHED)
    if viewer_id is not None:
        visible |= Q(author_id=viewer_id)
    return Article.objects.filter(visible)


def _with_author_display_name(queryset: QuerySet[Article]) -> QuerySet[Article]:
    # A subquery, not a join on a foreign key: the author may not be projected yet, and the
    # article must still be listed (with no display name) when it is not.
    author_name = Author.objects.filter(id=OuterRef("author_id")).values("display_name")[:1]
    return queryset.annotate(author_display_name=Subquery(author_name))


def article_list(*, viewer_id: UUID | None) -> QuerySet[Article]:
    """Articles ``viewer_id`` may read, newest first; the API narrows them with ArticleFilter."""
    return _with_author_display_name(article_visible_queryset(viewer_id=viewer_id))


def article_get(*, article_id: UUID, viewer_id: UUID | None) -> Article:
    """The article if ``viewer_id`` may read it; otherwise 404, never revealing it exists."""
    visible = _with_author_display_name(article_visible_queryset(viewer_id=viewer_id))
    return get_object_or_not_found(visible, id=article_id, message="Article not found.")
