import uuid

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from platform_common.models import SoftDeleteModel, TimestampedModel

TITLE_MAX_LENGTH = 200
# Room for the title's slug plus a "-<hex>" suffix that resolves collisions.
SLUG_MAX_LENGTH = 220
# Lists show the summary, or the start of the body when there is none, never the body.
SUMMARY_LENGTH = 280
SUMMARY_MAX_LENGTH = 500
# Lengths search engines display.
META_TITLE_MAX_LENGTH = 70
META_DESCRIPTION_MAX_LENGTH = 160
URL_MAX_LENGTH = 500


REASON_MAX_LENGTH = 500


class ArticleLanguage(models.TextChoices):
    """Text search configurations (stemming, stop words) an article may be written in."""

    ENGLISH = "english", "English"
    FRENCH = "french", "French"
    GERMAN = "german", "German"
    SPANISH = "spanish", "Spanish"
    ITALIAN = "italian", "Italian"
    PORTUGUESE = "portuguese", "Portuguese"
    DUTCH = "dutch", "Dutch"
    SIMPLE = "simple", "Other (no stemming)"


class RegConfigField(models.CharField):  # type: ignore[type-arg]
    """A Postgres ``regconfig``: to_tsvector over it is immutable, so a generated column may
    use it (text cast to regconfig is not)."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return "regconfig"


def cover_storage() -> Storage:
    """The ``covers`` storage of ``STORAGES`` (a callable: settings decide, not migrations)."""
    return storages["covers"]


class ArticleStatus(models.TextChoices):
    """The workflow: draft -> in_review -> published -> archived; in_review -> draft (rejected).

    An approved article waiting for its ``publish_at`` stays in review until beat publishes it.
    """

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


# Never published yet: no publication date required.
UNPUBLISHED = (ArticleStatus.DRAFT, ArticleStatus.IN_REVIEW)


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
    summary = models.CharField(max_length=SUMMARY_MAX_LENGTH, blank=True, default="")
    # Markdown as written; body_html is its sanitised rendering, refreshed on every save
    # by the services (never rendered per read).
    body = models.TextField()
    body_html = models.TextField(blank=True, default="", editable=False)
    reading_time_minutes = models.PositiveIntegerField(default=1, editable=False)
    author_id = models.UUIDField()
    category = models.ForeignKey(
        "taxonomy.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    tags = models.ManyToManyField("taxonomy.Tag", blank=True, related_name="articles")
    meta_title = models.CharField(max_length=META_TITLE_MAX_LENGTH, blank=True, default="")
    meta_description = models.CharField(
        max_length=META_DESCRIPTION_MAX_LENGTH, blank=True, default=""
    )
    canonical_url = models.URLField(max_length=URL_MAX_LENGTH, blank=True, default="")
    og_image_url = models.URLField(max_length=URL_MAX_LENGTH, blank=True, default="")
    # A re-encoded upload under a random name (services.article_cover_set); never edited here.
    cover = models.FileField(
        storage=cover_storage, max_length=100, blank=True, default="", editable=False
    )
    language = RegConfigField(
        max_length=32, choices=ArticleLanguage.choices, default=ArticleLanguage.ENGLISH
    )
    # Title weighs most, then summary, then body; kept by Postgres itself on every write.
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=models.F("language"))
        + SearchVector("summary", weight="B", config=models.F("language"))
        + SearchVector("body", weight="C", config=models.F("language")),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # Counted in Redis per read and added here by the periodic flush (view_counts.py).
    view_count = models.PositiveBigIntegerField(default=0, editable=False)
    status = models.CharField(
        max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # Set by an editor's approval for a later time; beat publishes the article then.
    publish_at = models.DateTimeField(null=True, blank=True)
    # The editor who approved the publication (now or at publish_at).
    approved_by_id = models.UUIDField(null=True, blank=True)
    # Why an editor sent the article back to draft (the last rejection).
    rejection_reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True, default="")
    # Bumped by every change: the aggregate version of the content.article.* events.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="articles_article_slug_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=ArticleStatus.values),
                name="articles_article_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=UNPUBLISHED) | models.Q(published_at__isnull=False),
                name="articles_article_published_has_date",
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="articles_search"),
            # The public list: live published articles, newest first.
            models.Index(
                fields=["status", "-created_at"],
                name="articles_live_by_status",
                condition=models.Q(deleted_at__isnull=True),
            ),
            # Beat's pass over approved articles whose publication time has come.
            models.Index(
                fields=["publish_at"],
                name="articles_scheduled",
                condition=models.Q(status=ArticleStatus.IN_REVIEW, publish_at__isnull=False),
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

    @property
    def cover_image_url(self) -> str | None:
        """Where the cover is served (the storage's URL), None without one."""
        return self.cover.url if self.cover else None

    @property
    def og_image(self) -> str:
        """The Open Graph image: the one set, else the cover, else none ("")."""
        return self.og_image_url or self.cover_image_url or ""


class ArticleRevision(models.Model):
    """The title, summary and body of an article as one change left them (numbered from 1).

    Written by the services on creation and on every change of one of the three; restoring
    one writes a new revision, so history only grows."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    summary = models.CharField(max_length=SUMMARY_MAX_LENGTH, blank=True, default="")
    body = models.TextField()
    # Who made the change (the accounts user id).
    editor_id = models.UUIDField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="articles_revision_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} #{self.number}"
