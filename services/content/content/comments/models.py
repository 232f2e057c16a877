from django.db import models

from content.articles.models import Article
from platform_common.models import SoftDeleteModel, TimestampedModel

BODY_MAX_LENGTH = 5000


class CommentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SPAM = "spam", "Spam"


class Comment(TimestampedModel, SoftDeleteModel):
    """A reader's comment on an article, or a reply to another comment of the same article.

    The body is plain text: it is stored as written and only ever rendered escaped.
    ``author_id`` is the accounts user id (no foreign key, as for articles).
    ``version`` grows with each change: the aggregate version of the comment's events.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author_id = models.UUIDField()
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    status = models.CharField(
        max_length=16, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.UUIDField(null=True, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CommentStatus.values),
                name="comments_comment_status_valid",
            ),
        ]
        indexes = [
            # An article's thread (top level or one comment's replies), oldest first.
            models.Index(
                fields=["article", "parent", "status", "created_at"],
                name="comments_thread",
                condition=models.Q(deleted_at__isnull=True),
            ),
            # The moderation queue, oldest first.
            models.Index(
                fields=["status", "created_at"],
                name="comments_queue",
                condition=models.Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.body[:50]
