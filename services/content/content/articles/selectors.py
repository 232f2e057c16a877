"""Reads of articles. Visibility: everyone sees published articles, authors their own
drafts, editors and admins every draft (they review them)."""

from uuid import UUID

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Left

from content.articles.models import SUMMARY_LENGTH, Article, ArticleStatus
from content.authors.models import Author
from platform_common.api.selectors import get_object_or_not_found
from platform_common.auth.jwt import Principal
from platform_common.auth.permissions import Role, owner_or_role_filter

# Who may read every draft, not only their own.
DRAFT_REVIEWERS = (Role.EDITOR, Role.ADMIN)


def article_visible_queryset(*, viewer: Principal | None) -> QuerySet[Article]:
    """Live articles ``viewer`` may read (anonymous when None)."""
    visible = Q(status=ArticleStatus.PUBLISHED) | owner_or_role_filter(
        viewer, owner_field="author_id", roles=DRAFT_REVIEWERS
    )
    return Article.objects.filter(visible)


def _with_author_display_name(queryset: QuerySet[Article]) -> QuerySet[Article]:
    # A subquery, not a join on a foreign key: the author may not be projected yet, and the
    # article must still be listed (with no display name) when it is not.
    author_name = Author.objects.filter(id=OuterRef("author_id")).values("display_name")[:1]
    return queryset.annotate(author_display_name=Subquery(author_name))


def article_list(
    *,
    viewer: Principal | None,
    status: ArticleStatus | None = None,
    author_id: UUID | None = None,
) -> QuerySet[Article]:
    """Articles ``viewer`` may read, newest first, optionally only of ``status`` or by
    ``author_id``; each has a ``summary`` instead of its body (the body is never read from
    the database: a page of long articles stays small)."""
    articles = article_visible_queryset(viewer=viewer).defer("body")
    if status is not None:
        articles = articles.filter(status=status)
    if author_id is not None:
        articles = articles.filter(author_id=author_id)
    return _with_author_display_name(articles).annotate(summary=Left("body", SUMMARY_LENGTH))


def article_get(*, article_id: UUID, viewer: Principal | None) -> Article:
    """The article if ``viewer`` may read it; otherwise 404, never revealing it exists."""
    visible = _with_author_display_name(article_visible_queryset(viewer=viewer))
    return get_object_or_not_found(visible, id=article_id, message="Article not found.")
