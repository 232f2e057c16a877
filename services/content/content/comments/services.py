"""Write side of comments: each action owns its transaction, its outbox event and its
counter change; the cached public reads it affects are invalidated after commit."""

import time
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from content.articles.models import Article, ArticleStatus
from content.articles.selectors import article_visible_queryset
from content.caching import public_cache_invalidate
from content.comments.errors import CommentCode
from content.comments.models import Comment, CommentStatus
from content.comments.selectors import MODERATORS, comment_visible_queryset
from content.engagement.services import article_counters_add
from platform_common.api.errors import (
    ApplicationError,
    ConflictError,
    PermissionDeniedError,
    RateLimitedError,
)
from platform_common.api.selectors import get_object_or_not_found
from platform_common.auth.jwt import Principal
from platform_common.events import publish
from platform_common.problems import ProblemCode

COMMENT_CREATED = "content.comment.created"
COMMENT_MODERATED = "content.comment.moderated"


def comment_create(
    *, author: Principal, article_id: UUID, body: str, parent_id: UUID | None = None
) -> Comment:
    """Comment on a published article (or reply to one of its approved comments).

    Moderators' comments are approved at once; everyone else's wait in the queue."""
    _comment_rate_check(user_id=author.id)
    with transaction.atomic():
        article = get_object_or_not_found(
            article_visible_queryset(viewer=author), id=article_id, message="Article not found."
        )
        if article.status != ArticleStatus.PUBLISHED:
            # Drafts are discussed in review, not in comments.
            raise ConflictError(
                "Only published articles take comments.", code=CommentCode.COMMENTS_CLOSED
            )
        parent = _parent(article=article, parent_id=parent_id) if parent_id else None
        approved = author.has_role(*MODERATORS)
        comment = Comment.objects.create(
            article=article,
            parent=parent,
            author_id=author.id,
            body=body,
            status=CommentStatus.APPROVED if approved else CommentStatus.PENDING,
        )
        if approved:
            _count_approved(comment, delta=1)
        publish(
            type=COMMENT_CREATED,
            data={**_event_data(comment, article=article), "status": comment.status},
            aggregate_id=comment.id,
            aggregate_version=comment.version,
        )
    return comment


def comment_update(*, comment_id: UUID, actor: Principal, body: str) -> Comment:
    """The author rewrites the body, within ``COMMENT_EDIT_WINDOW`` of writing it."""
    with transaction.atomic():
        comment = _comment_for_change(comment_id=comment_id, actor=actor)
        if comment.author_id != actor.id:
            raise PermissionDeniedError(
                "Only the author may edit this comment.", code=ProblemCode.PERMISSION_DENIED
            )
        if timezone.now() - comment.created_at > settings.COMMENT_EDIT_WINDOW:
            raise ConflictError(
                "The time to edit this comment is over.", code=CommentCode.EDIT_WINDOW_CLOSED
            )
        comment.body = body
        comment.edited_at = timezone.now()
        comment.version += 1
        comment.save(update_fields=["body", "edited_at", "version", "updated_at"])
        if comment.status == CommentStatus.APPROVED:
            public_cache_invalidate(article_id=comment.article_id)
    return comment


def comment_delete(*, comment_id: UUID, actor: Principal) -> None:
    """The author or a moderator removes a comment (soft: its replies stay reachable by id)."""
    with transaction.atomic():
        comment = _comment_for_change(comment_id=comment_id, actor=actor)
        if comment.author_id != actor.id and not actor.has_role(*MODERATORS):
            raise PermissionDeniedError(
                "Only the author or a moderator may delete this comment.",
                code=ProblemCode.PERMISSION_DENIED,
            )
        comment.delete()
        if comment.status == CommentStatus.APPROVED:
            _count_approved(comment, delta=-1)


def comment_moderate(*, comment_id: UUID, moderator: Principal, status: CommentStatus) -> Comment:
    """A moderator decides: approve, reject or mark as spam; deciding again may change it.

    Setting the status a comment already has changes nothing and publishes nothing."""
    if not moderator.has_role(*MODERATORS):
        raise PermissionDeniedError(
            "Only editors moderate comments.", code=ProblemCode.PERMISSION_DENIED
        )
    with transaction.atomic():
        comment = get_object_or_not_found(
            Comment.objects.select_related("article", "parent").select_for_update(of=("self",)),
            id=comment_id,
            message="Comment not found.",
        )
        previous = comment.status
        if previous == status:
            return comment
        comment.status = status
        comment.moderated_by = moderator.id
        comment.moderated_at = timezone.now()
        comment.version += 1
        comment.save(
            update_fields=["status", "moderated_by", "moderated_at", "version", "updated_at"]
        )
        if CommentStatus.APPROVED in (previous, status):
            _count_approved(comment, delta=1 if status == CommentStatus.APPROVED else -1)
        publish(
            type=COMMENT_MODERATED,
            data={
                **_event_data(comment, article=comment.article),
                "status": status,
                "previous_status": previous,
                "moderator_id": str(moderator.id),
            },
            aggregate_id=comment.id,
            aggregate_version=comment.version,
        )
    return comment


def _parent(*, article: Article, parent_id: UUID) -> Comment:
    parent = Comment.objects.filter(
        id=parent_id, article=article, status=CommentStatus.APPROVED
    ).first()
    if parent is None:
        raise ApplicationError(
            "The comment replied to is not an approved comment of this article.",
            code=CommentCode.INVALID_PARENT,
        )
    return parent


def _comment_for_change(*, comment_id: UUID, actor: Principal) -> Comment:
    """Lock a comment ``actor`` may see: one they cannot see is a 404."""
    return get_object_or_not_found(
        comment_visible_queryset(viewer=actor).select_for_update(),
        id=comment_id,
        message="Comment not found.",
    )


def _count_approved(comment: Comment, *, delta: int) -> None:
    article_counters_add(article_id=comment.article_id, comment_count=delta)
    public_cache_invalidate(article_id=comment.article_id)


def _event_data(comment: Comment, *, article: Article) -> dict[str, Any]:
    """Who the comment concerns: notifications fan out from these ids."""
    parent = comment.parent
    return {
        "comment_id": str(comment.id),
        "article_id": str(article.id),
        "article_author_id": str(article.author_id),
        "comment_author_id": str(comment.author_id),
        "parent_comment_id": str(parent.id) if parent else None,
        "parent_comment_author_id": str(parent.author_id) if parent else None,
    }


def _comment_rate_check(*, user_id: UUID) -> None:
    """At most ``COMMENT_RATE_LIMIT`` comments per user per window (a fixed window counted
    in the Redis Cluster, shared by every web process); over it, a 429 with Retry-After."""
    window = settings.COMMENT_RATE_WINDOW_SECONDS
    now = time.time()
    key = cache.make_and_validate_key(f"comment-rate:{user_id}:{int(now // window)}")
    pipeline = cache.cluster.pipeline()  # type: ignore[attr-defined]
    pipeline.incr(key)
    pipeline.expire(key, window)
    count, _ = pipeline.execute()
    if count > settings.COMMENT_RATE_LIMIT:
        raise RateLimitedError(
            "Too many comments; try again later.",
            code=ProblemCode.RATE_LIMITED,
            retry_after=max(1, int(window - now % window)),
        )
