"""Write side of articles.

Each action owns its transaction: that is where ``content.article.*`` events will be
written to the outbox (``platform_common.events.publish``) when they are introduced.
"""

import secrets
from collections.abc import Iterator
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from content.articles.errors import ArticleCode
from content.articles.models import SLUG_MAX_LENGTH, Article, ArticleStatus
from content.articles.selectors import article_visible_queryset
from platform_common.api.errors import ConflictError, PermissionDeniedError
from platform_common.api.selectors import get_object_or_not_found
from platform_common.auth.jwt import Principal
from platform_common.problems import ProblemCode

SLUG_CONSTRAINT = "articles_article_slug_unique"
# Random suffixes tried after the plain slug is taken; exhausting them is astronomically rare.
SLUG_SUFFIX_ATTEMPTS = 5
SLUG_SUFFIX_BYTES = 4
SLUG_BASE_MAX_LENGTH = SLUG_MAX_LENGTH - len("-") - 2 * SLUG_SUFFIX_BYTES
FALLBACK_SLUG = "article"


def article_create(
    *, author_id: UUID, title: str, body: str, status: ArticleStatus = ArticleStatus.DRAFT
) -> Article:
    article = Article(author_id=author_id, title=title, body=body)
    _set_status(article, status)
    with transaction.atomic():
        _insert_with_unique_slug(article)
    return article


def article_update(
    *,
    article_id: UUID,
    actor_id: UUID,
    title: str | None = None,
    body: str | None = None,
    status: ArticleStatus | None = None,
) -> Article:
    """Change the given fields; the slug stays as it was created."""
    with transaction.atomic():
        article = _article_for_change(article_id=article_id, actor_id=actor_id)
        if title is not None:
            article.title = title
        if body is not None:
            article.body = body
        if status is not None:
            _set_status(article, status)
        article.save()
    return article


def article_delete(*, article_id: UUID, actor_id: UUID) -> None:
    """Soft delete: the row stays (and keeps its slug) but no read returns it."""
    with transaction.atomic():
        article = _article_for_change(article_id=article_id, actor_id=actor_id)
        article.delete()


def _article_for_change(*, article_id: UUID, actor_id: UUID) -> Article:
    """Lock the article for its author: unreadable -> 404, readable but not theirs -> 403.

    Readable as by a caller without roles: a reviewer's reach to drafts is for reading."""
    article = get_object_or_not_found(
        article_visible_queryset(viewer=Principal(id=actor_id)).select_for_update(),
        id=article_id,
        message="Article not found.",
    )
    if article.author_id != actor_id:
        raise PermissionDeniedError(
            "Only the author may change this article.", code=ProblemCode.PERMISSION_DENIED
        )
    return article


def _set_status(article: Article, status: ArticleStatus) -> None:
    article.status = status
    # published_at records the first publication; unpublishing and republishing keep it.
    if status == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()


def _slug_candidates(title: str) -> Iterator[str]:
    base = slugify(title)[:SLUG_BASE_MAX_LENGTH].strip("-") or FALLBACK_SLUG
    yield base
    for _ in range(SLUG_SUFFIX_ATTEMPTS):
        yield f"{base}-{secrets.token_hex(SLUG_SUFFIX_BYTES)}"


def _insert_with_unique_slug(article: Article) -> None:
    for candidate in _slug_candidates(article.title):
        # Deleted articles keep their slug, so look past the soft-delete manager.
        if Article.all_objects.filter(slug=candidate).exists():
            continue
        article.slug = candidate
        try:
            # A savepoint: losing the race to a concurrent insert must not abort the caller.
            with transaction.atomic():
                article.save(force_insert=True)
        except IntegrityError as error:
            if _violated_constraint(error) != SLUG_CONSTRAINT:
                raise
            continue
        return
    raise ConflictError(
        "Could not allocate a unique slug for this title.", code=ArticleCode.SLUG_UNAVAILABLE
    )


def _violated_constraint(error: IntegrityError) -> str | None:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)
