from django.db import models

from platform_common.models import SoftDeleteModel, TimestampedModel

TITLE_MAX_LENGTH = 200
# Room for the title's slug plus a "-<hex>" suffix that resolves collisions.
SLUG_MAX_LENGTH = 220
# Lists show the start of each body, never the body itself.
SUMMARY_LENGTH = 280


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Article(TimestampedModel, SoftDeleteModel):
    """An article written by an author.

    The slug is derived from the title once, at creation, and never follows later title
    edits, so published links stay valid. Deleted articles keep their slug reserved.

    ``author_id`` is the accounts user id. The author projection may not have caught up
    with a brand-new user yet, so there is no foreign key; selectors join the projection.
    """

    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    # Indexed by its unique constraint.
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, db_index=False)
    body = models.TextField()
    author_id = models.UUIDField()
    status = models.CharField(
        max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="articles_article_slug_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=ArticleStatus.values),
                name="articles_article_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status=ArticleStatus.DRAFT)
                | models.Q(published_at__isnull=False),
                name="articles_article_published_has_date",
            ),
        ]
        indexes = [
            # The public list: live published articles, newest first.
            models.Index(
                fields=["status", "-created_at"],
                name="articles_live_by_status",
                condition=models.Q(deleted_at__isnull=True),
            ),
            # The author's own articles (drafts included) and the ?author= filter.
            models.Index(
                fields=["author_id", "-created_at"],
                name="articles_live_by_author",
                condition=models.Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title
