"""Reads of comments: an article's thread, one comment, the moderation queue."""

from uuid import UUID

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from content.articles.selectors import article_get
from content.authors.models import Author
from content.comments.models import Comment, CommentStatus
from platform_common.api.selectors import get_object_or_not_found
from platform_common.auth.jwt import Principal
from platform_common.auth.permissions import Role

MODERATORS = (Role.EDITOR, Role.ADMIN)


def _annotated(comments: QuerySet[Comment]) -> QuerySet[Comment]:
    """Each comment with its author's display name and its approved replies' count, as
    subqueries of the one SELECT (no query per row)."""
    author_name = Author.objects.filter(id=OuterRef("author_id")).values("display_name")[:1]
    replies = (
        Comment.objects.filter(parent=OuterRef("pk"), status=CommentStatus.APPROVED)
        .order_by()
        .values("parent")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return comments.annotate(
        author_display_name=Subquery(author_name),
        reply_count=Coalesce(Subquery(replies, output_field=IntegerField()), Value(0)),
    )


def comment_thread(
    *, article_id: UUID, viewer: Principal | None, parent_id: UUID | None = None
) -> QuerySet[Comment]:
    """Approved comments of an article ``viewer`` may read: the top level, or the replies
    to ``parent_id``; oldest first."""
    article = article_get(article_id=article_id, viewer=viewer)
    return _annotated(
        Comment.objects.filter(
            article_id=article.id, parent_id=parent_id, status=CommentStatus.APPROVED
        )
    )


def comment_visible_queryset(*, viewer: Principal | None) -> QuerySet[Comment]:
    """Approved comments for everyone; a caller's own in any status; all for moderators."""
    if viewer is not None and viewer.has_role(*MODERATORS):
        return Comment.objects.all()
    visible = Q(status=CommentStatus.APPROVED)
    if viewer is not None:
        visible |= Q(author_id=viewer.id)
    return Comment.objects.filter(visible)


def comment_get(*, comment_id: UUID, viewer: Principal | None) -> Comment:
    return get_object_or_not_found(
        _annotated(comment_visible_queryset(viewer=viewer)),
        id=comment_id,
        message="Comment not found.",
    )


def comment_moderation_queue(*, status: CommentStatus) -> QuerySet[Comment]:
    """Comments in ``status`` across every article, oldest first (the queue's order)."""
    return _annotated(Comment.objects.filter(status=status))
