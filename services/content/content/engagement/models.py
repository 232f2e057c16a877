from django.db import models

from content.articles.models import Article
from platform_common.models import TimestampedModel


class ReactionKind(models.TextChoices):
    LIKE = "like", "Like"
    LOVE = "love", "Love"
    INSIGHTFUL = "insightful", "Insightful"


def reaction_count_field(kind: str) -> str:
    """The ``ArticleEngagement`` column counting reactions of ``kind``."""
    return f"{kind}_count"


# Once: ``ReactionKind.values`` builds a new list on every access, and lists ask per row.
_REACTION_COUNT_FIELDS = tuple((kind, reaction_count_field(kind)) for kind in ReactionKind.values)


class ArticleEngagement(models.Model):
    """Denormalised counters of one article, kept by the services that change what they count.

    Lists read them with one join instead of counting per row; ``changed_at`` moves with
    every counted change, so the article's ``Last-Modified`` covers its counts too.
    """

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="engagement"
    )
    # Approved, live comments.
    comment_count = models.PositiveIntegerField(default=0)
    like_count = models.PositiveIntegerField(default=0)
    love_count = models.PositiveIntegerField(default=0)
    insightful_count = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"engagement of {self.article_id}"

    def reaction_counts(self) -> dict[str, int]:
        return {kind: getattr(self, field) for kind, field in _REACTION_COUNT_FIELDS}


class Reaction(TimestampedModel):
    """One user's reaction of one kind to an article (at most one per user, kind, article)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reactions")
    user_id = models.UUIDField()
    kind = models.CharField(max_length=16, choices=ReactionKind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user_id", "kind"], name="engagement_reaction_once"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ReactionKind.values),
                name="engagement_reaction_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.article_id}"


class Bookmark(TimestampedModel):
    """An article a user keeps in their private list."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bookmarks")
    user_id = models.UUIDField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user_id", "article"], name="engagement_bookmark_once"),
        ]
        indexes = [models.Index(fields=["user_id", "-created_at"], name="engagement_bookmarks_of")]

    def __str__(self) -> str:
        return f"bookmark of {self.article_id}"
