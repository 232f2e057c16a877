"""Settings of the content service: the shared builder plus what is content's own."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ

from platform_common.admin import admin_settings
from platform_common.settings import build_settings

globals().update(
    build_settings(
        service="content",
        base_dir=Path(__file__).resolve().parent.parent.parent,
        apps=[
            "content.authors",
            "content.taxonomy",
            "content.articles",
            "content.comments",
            "content.engagement",
        ],
        root_urlconf="content.config.urls",
    )
)

# The staff admin (/admin/ on the service): staff sign in with their accounts identity.
globals().update(admin_settings(globals()))

env = environ.Env()  # build_settings has already loaded ENV_FILE, if any.

# How often beat adds the views counted in Redis to the articles (content.articles.tasks).
ARTICLE_VIEWS_FLUSH_SECONDS = env.int("ARTICLE_VIEWS_FLUSH_SECONDS", default=60)
# How often beat publishes the approved articles whose publish_at has come.
ARTICLE_PUBLISH_DUE_SECONDS = env.int("ARTICLE_PUBLISH_DUE_SECONDS", default=30)
# The Redis Cluster hash of article views not yet flushed to Postgres (its name is the
# hash tag of both keys the flush uses; tests point it at a key of their own).
ARTICLE_VIEWS_KEY = "content:article-views"

# How long after writing a comment its author may still edit it.
COMMENT_EDIT_WINDOW = timedelta(minutes=env.int("COMMENT_EDIT_WINDOW_MINUTES", default=15))
# Comments one user may write per window (counted in the Redis Cluster).
COMMENT_RATE_LIMIT = env.int("COMMENT_RATE_LIMIT", default=5)
COMMENT_RATE_WINDOW_SECONDS = env.int("COMMENT_RATE_WINDOW_SECONDS", default=60)

# Three "status" enums in the schema: each gets a name of its own (drf-spectacular would
# otherwise invent one, and warns).
SPECTACULAR_SETTINGS: dict[str, Any] = {
    **globals()["SPECTACULAR_SETTINGS"],  # build_settings' own
    "ENUM_NAME_OVERRIDES": {
        "ArticleStatusEnum": "content.articles.models.ArticleStatus",
        "CommentStatusEnum": "content.comments.models.CommentStatus",
        "ModerationDecisionEnum": "content.comments.serializers.MODERATION_DECISIONS",
    },
}
