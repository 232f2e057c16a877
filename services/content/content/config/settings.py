"""Settings of the content service: the shared builder plus what is content's own."""

from datetime import timedelta
from pathlib import Path

import environ

from platform_common.settings import build_settings

globals().update(
    build_settings(
        service="content",
        base_dir=Path(__file__).resolve().parent.parent.parent,
        apps=["content.authors", "content.articles", "content.comments", "content.engagement"],
        root_urlconf="content.config.urls",
    )
)

env = environ.Env()  # build_settings has already loaded ENV_FILE, if any.

# How long after writing a comment its author may still edit it.
COMMENT_EDIT_WINDOW = timedelta(minutes=env.int("COMMENT_EDIT_WINDOW_MINUTES", default=15))
# Comments one user may write per window (counted in the Redis Cluster).
COMMENT_RATE_LIMIT = env.int("COMMENT_RATE_LIMIT", default=5)
COMMENT_RATE_WINDOW_SECONDS = env.int("COMMENT_RATE_WINDOW_SECONDS", default=60)
