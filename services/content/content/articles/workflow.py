"""The publishing workflow: who moves an article from which status to which.

``draft -> in_review`` (its author submits), ``in_review -> draft`` (an editor rejects, with
a reason), ``in_review -> published`` (an editor approves, now or at ``publish_at``: beat
publishes it then), ``published -> archived`` (an editor). Anything else is a 409
``invalid_transition``; a caller without the right is a 403; an article the caller may not
read is a 404. Every transition bumps the article's version and writes its
``content.article.*`` event to the outbox in the same transaction.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from content.articles.errors import ArticleCode
from content.articles.models import Article, ArticleStatus
from content.articles.selectors import article_visible_queryset
from content.caching import public_cache_invalidate
from content.taxonomy.permissions import EDITORS
from platform_common.api.errors import ConflictError, PermissionDeniedError
from platform_common.api.selectors import get_object_or_not_found
from platform_common.auth.jwt import Principal
from platform_common.events import publish
from platform_common.problems import ProblemCode

# Beat publishes at most this many due articles per pass (the next pass takes the rest).
PUBLISH_DUE_BATCH = 100


def article_submit(*, article_id: UUID, actor: Principal) -> Article:
    with transaction.atomic():
        article = _for_transition(article_id, actor, ArticleStatus.DRAFT, by_editor=False)
        article.status = ArticleStatus.IN_REVIEW
        _save(article, "content.article.submitted", category_id=_category_id(article))
    return article


def article_reject(*, article_id: UUID, actor: Principal, reason: str) -> Article:
    with transaction.atomic():
        article = _for_transition(article_id, actor, ArticleStatus.IN_REVIEW, by_editor=True)
        article.status = ArticleStatus.DRAFT
        article.rejection_reason = reason
        article.publish_at = None
        article.approved_by_id = None
        _save(article, "content.article.rejected", reason=reason, editor_id=str(actor.id))
    return article


def article_publish(
    *,
    article_id: UUID,
    actor: Principal,
    publish_at: datetime | None = None,
    now: datetime | None = None,
) -> Article:
    """Approve: publish now, or at ``publish_at`` when it is still to come."""
    now = now or timezone.now()
    with transaction.atomic():
        article = _for_transition(article_id, actor, ArticleStatus.IN_REVIEW, by_editor=True)
        article.approved_by_id = actor.id
        if publish_at is not None and publish_at > now:
            article.publish_at = publish_at
            article.version += 1
            article.save()
        else:
            _publish(article, now=now)
    return article


def article_archive(*, article_id: UUID, actor: Principal) -> Article:
    with transaction.atomic():
        article = _for_transition(article_id, actor, ArticleStatus.PUBLISHED, by_editor=True)
        article.status = ArticleStatus.ARCHIVED
        _save(article, "content.article.archived", editor_id=str(actor.id))
    return article


def article_publish_due(*, now: datetime) -> int:
    """Publish the approved articles whose ``publish_at`` has come; returns how many.

    SKIP LOCKED: a second beat pass (or an editor acting on one of them) never waits."""
    with transaction.atomic():
        due = list(
            Article.objects.filter(status=ArticleStatus.IN_REVIEW, publish_at__lte=now)
            .order_by("publish_at")
            .select_for_update(skip_locked=True)[:PUBLISH_DUE_BATCH]
        )
        for article in due:
            _publish(article, now=now)
    return len(due)


def _publish(article: Article, *, now: datetime) -> None:
    article.status = ArticleStatus.PUBLISHED
    article.publish_at = None
    # published_at records the first publication; it never moves afterwards.
    article.published_at = article.published_at or now
    _save(
        article,
        "content.article.published",
        category_id=_category_id(article),
        summary=article.summary,
        published_at=article.published_at.isoformat(),
        editor_id=str(article.approved_by_id),
    )


def _for_transition(
    article_id: UUID, actor: Principal, expected: ArticleStatus, *, by_editor: bool
) -> Article:
    article = get_object_or_not_found(
        article_visible_queryset(viewer=actor).select_for_update(),
        id=article_id,
        message="Article not found.",
    )
    allowed = actor.has_role(*EDITORS) if by_editor else article.author_id == actor.id
    if not allowed:
        who = "an editor" if by_editor else "its author"
        raise PermissionDeniedError(f"Only {who} may do this.", code=ProblemCode.PERMISSION_DENIED)
    if article.status != expected:
        raise ConflictError(
            f"Not allowed from status {article.status!r} (needs {expected.value!r}).",
            code=ArticleCode.INVALID_TRANSITION,
            extra={"current_status": article.status},
        )
    return article


def _category_id(article: Article) -> str | None:
    """Who follows the category hears of its articles (notifications fans out by it)."""
    return None if article.category_id is None else str(article.category_id)


def _save(article: Article, event_type: str, **data: Any) -> None:
    article.version += 1
    article.save()
    public_cache_invalidate(article_id=article.id)
    publish(
        type=event_type,
        data={
            "article_id": str(article.id),
            "author_id": str(article.author_id),
            "title": article.title,
            "slug": article.slug,
            **data,
        },
        aggregate_id=article.id,
        aggregate_version=article.version,
    )
