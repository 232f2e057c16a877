"""Who wants to hear about what: a user follows an author, a category, an article's
comments, or (editors) the review queue of submitted articles."""

from django.db import models

from platform_common.models import TimestampedModel


class TargetType(models.TextChoices):
    AUTHOR = "author", "Author"  # new articles the author publishes
    CATEGORY = "category", "Category"  # new articles published in the category
    ARTICLE = "article", "Article"  # new comments on the article
    SUBMISSIONS = "submissions", "Submissions"  # articles submitted for review (editors)


# Targets that name one thing; the review queue is one for everybody (no target_id).
TARGETS_WITH_ID = frozenset({TargetType.AUTHOR, TargetType.CATEGORY, TargetType.ARTICLE})


class Subscription(TimestampedModel):
    user_id = models.UUIDField()
    target_type = models.CharField(max_length=16, choices=TargetType.choices)
    target_id = models.UUIDField(null=True, blank=True)

    class Meta:
        constraints = [
            # Null target ids count as equal: one review-queue subscription per user.
            models.UniqueConstraint(
                fields=["user_id", "target_type", "target_id"],
                name="subscription_unique_target",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=models.Q(target_type="submissions", target_id__isnull=True)
                | (~models.Q(target_type="submissions") & models.Q(target_id__isnull=False)),
                name="subscription_target_id_matches_type",
            ),
        ]
        indexes = [
            # Fan-out reads the followers of one target.
            models.Index(fields=["target_type", "target_id"], name="subscription_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.target_type} {self.target_id}"
