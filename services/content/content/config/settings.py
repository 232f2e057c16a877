"""Settings of the content service: the shared builder plus what is content's own."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ

from platform_common.admin import admin_settings
from platform_common.settings import LOCAL_STORAGE, build_settings, storage_options

BASE_DIR = Path(__file__).resolve().parent.parent.parent

globals().update(
    build_settings(
        service="content",
        base_dir=BASE_DIR,
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

# Cover images of articles, stored through a Django storage: the local filesystem by default,
# any django-storages backend (e.g. "storages.backends.s3.S3Storage" with {"bucket_name": ...,
# "custom_domain": ...}; credentials from the AWS_* environment) by COVER_STORAGE_BACKEND and
# COVER_STORAGE_OPTIONS. A relative local location resolves against this service's folder;
# the local files are served by content at COVER_BASE_URL (by default the gateway's path on
# the reader's own host).
COVER_BASE_URL = env.str("COVER_BASE_URL", default="/api/v1/content/covers/")
COVER_STORAGE_BACKEND = env.str("COVER_STORAGE_BACKEND", default=LOCAL_STORAGE)
COVER_STORAGE_OPTIONS = storage_options(
    backend=COVER_STORAGE_BACKEND,
    options=env.json("COVER_STORAGE_OPTIONS", default={}),
    base_dir=BASE_DIR,
    base_url=COVER_BASE_URL,
    location="media/covers",
)
STORAGES = {
    "default": {"BACKEND": LOCAL_STORAGE},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "covers": {"BACKEND": COVER_STORAGE_BACKEND, "OPTIONS": COVER_STORAGE_OPTIONS},
}

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
