"""The articles app's own problem codes (the library's ``ProblemCode`` has the shared ones)."""

from platform_common.problems import TitledCode


class ArticleCode(TitledCode):
    SLUG_UNAVAILABLE = "slug_unavailable", "No free slug for this title"
    UNKNOWN_CATEGORY = "unknown_category", "Unknown category"
    UNKNOWN_TAG = "unknown_tag", "Unknown tag"
    INVALID_TRANSITION = "invalid_transition", "Transition not allowed from this status"
    NOT_EDITABLE = "not_editable", "Article not editable"
