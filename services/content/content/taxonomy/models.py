from django.db import models
from django.db.models.functions import Lower

from platform_common.models import TimestampedModel

CATEGORY_NAME_MAX_LENGTH = 100
TAG_NAME_MAX_LENGTH = 50
SLUG_MAX_LENGTH = 120


class Category(TimestampedModel):
    """A node of the category tree; siblings are shown by ``position``, then name.

    A category with children cannot be deleted (PROTECT): its subtree would be orphaned
    silently. Services refuse a parent that would close a cycle.
    """

    name = models.CharField(max_length=CATEGORY_NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        constraints = [
            # The one cycle a single row can express; longer ones are refused by services.
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="taxonomy_category_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Tag(TimestampedModel):
    name = models.CharField(max_length=TAG_NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, db_index=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            # "Python" and "python" are one tag; the index also serves lookups by slug.
            models.UniqueConstraint(Lower("slug"), name="taxonomy_tag_slug_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name
