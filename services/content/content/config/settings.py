"""Settings of the content service: the shared builder plus what is content's own."""

from datetime import timedelta
from pathlib import Path

import environ

from platform_common.settings import build_settings

_base = build_settings(
    service="content",
    base_dir=Path(__file__).resolve().parent.parent.parent,
    apps=["content.authors", "content.articles", "content.comments", "content.engagement"],
    root_urlconf="content.config.urls",
)
globals().update(_base)

# The admin (staff only): sessions and messages for its pages, templates to render them.
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.sessions",
    "django.contrib.messages",
    *_base["INSTALLED_APPS"],
]
_common = _base["MIDDLEWARE"].index("django.middleware.common.CommonMiddleware")
MIDDLEWARE = [
    *_base["MIDDLEWARE"][:_common],
    "django.contrib.sessions.middleware.SessionMiddleware",
    *_base["MIDDLEWARE"][_common:],
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

env = environ.Env()  # build_settings has already loaded ENV_FILE, if any.

# How long after writing a comment its author may still edit it.
COMMENT_EDIT_WINDOW = timedelta(minutes=env.int("COMMENT_EDIT_WINDOW_MINUTES", default=15))
# Comments one user may write per window (counted in the Redis Cluster).
COMMENT_RATE_LIMIT = env.int("COMMENT_RATE_LIMIT", default=5)
COMMENT_RATE_WINDOW_SECONDS = env.int("COMMENT_RATE_WINDOW_SECONDS", default=60)
