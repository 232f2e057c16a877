"""The taxonomy app's own problem codes."""

from platform_common.problems import TitledCode


class TaxonomyCode(TitledCode):
    SLUG_TAKEN = "slug_taken", "Slug already in use"
    CATEGORY_CYCLE = "category_cycle", "Category tree cycle"
    CATEGORY_HAS_CHILDREN = "category_has_children", "Category has children"
