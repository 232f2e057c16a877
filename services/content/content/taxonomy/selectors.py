"""Reads of the taxonomy: both are public, nothing is hidden."""

from uuid import UUID

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from content.taxonomy.models import Category, Tag
from platform_common.api.selectors import get_object_or_not_found

# Recursive walks of the tree in one statement each, whatever its depth. Fixed SQL with a
# bound parameter: nothing from the request is spliced in.
_SUBTREE_SQL = """
    WITH RECURSIVE subtree AS (
        SELECT id FROM taxonomy_category WHERE id = %s
        UNION ALL
        SELECT child.id FROM taxonomy_category child JOIN subtree ON child.parent_id = subtree.id
    ) SELECT id FROM subtree
"""
_ANCESTRY_SQL = """
    WITH RECURSIVE ancestry AS (
        SELECT id, parent_id FROM taxonomy_category WHERE id = %s
        UNION ALL
        SELECT up.id, up.parent_id FROM taxonomy_category up
        JOIN ancestry ON up.id = ancestry.parent_id
    ) SELECT id FROM ancestry
"""


def category_list() -> QuerySet[Category]:
    """Every category, siblings by position then name; clients build the tree by parent_id."""
    return Category.objects.all()


def category_get(*, category_id: UUID) -> Category:
    return get_object_or_not_found(
        Category.objects.all(), id=category_id, message="Category not found."
    )


def category_subtree_ids(*, category_id: UUID) -> RawSQL:
    """The ids of the category and all its descendants, as a subquery for ``__in``."""
    return RawSQL(_SUBTREE_SQL, [category_id])  # noqa: S611


def category_ancestry_ids(*, category_id: UUID) -> set[UUID]:
    """The category and every ancestor up to its root."""
    ancestry = RawSQL(_ANCESTRY_SQL, [category_id])  # noqa: S611
    return set(Category.objects.filter(id__in=ancestry).values_list("id", flat=True))


def tag_list() -> QuerySet[Tag]:
    return Tag.objects.all()


def tag_get(*, tag_id: UUID) -> Tag:
    return get_object_or_not_found(Tag.objects.all(), id=tag_id, message="Tag not found.")
