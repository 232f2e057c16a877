"""The staff admin of a service: Django's admin with the Unfold theme, and what every
service's admin shares (CSV export). Needs the ``admin`` extra (django-unfold, whitenoise).

A service turns it on in its settings, after ``build_settings``::

    globals().update(admin_settings(globals()))

and mounts ``admin.site.urls`` under ``admin/``. The admin's static files are served by
WhiteNoise straight from the installed apps (no collectstatic step in the images).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django import forms

# Unfold's apps come before django.contrib.admin, whose templates they override.
ADMIN_APPS = [
    "unfold",
    "unfold.contrib.filters",
    "django.contrib.admin",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
SESSION_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
WHITENOISE_MIDDLEWARE = "whitenoise.middleware.WhiteNoiseMiddleware"
SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"
CSRF_MIDDLEWARE = "django.middleware.csrf.CsrfViewMiddleware"
# The admin's own templates (a library, not an app: found through DIRS).
TEMPLATES_DIR = Path(__file__).parent / "templates"
# The login page of forms with a second-factor field named ``code``.
LOGIN_WITH_CODE_TEMPLATE = "platform_common/admin/login.html"
MFA_REQUIRED_MESSAGE = "This account uses two-factor authentication: type a code too."


def second_factor_field() -> forms.CharField:
    """The admin login's ``code`` field: an authenticator or recovery code, typed by staff
    with MFA only."""
    return forms.CharField(
        label="Authenticator or recovery code",
        max_length=32,
        required=False,
        help_text="Only if your account uses two-factor authentication.",
    )


def admin_settings(current: Mapping[str, Any]) -> dict[str, Any]:
    """The settings the admin adds to a service's ``current`` settings (from
    ``build_settings``): its apps, sessions and messages, templates, static files."""
    apps = [app for app in current["INSTALLED_APPS"] if app not in ADMIN_APPS]
    contrib = apps.index("django.contrib.auth")
    ours = {WHITENOISE_MIDDLEWARE, *SESSION_MIDDLEWARE}
    middleware = [name for name in current["MIDDLEWARE"] if name not in ours]
    # Static files are answered before anything else runs for them; sessions before CSRF.
    middleware.insert(middleware.index(SECURITY_MIDDLEWARE) + 1, WHITENOISE_MIDDLEWARE)
    at_csrf = middleware.index(CSRF_MIDDLEWARE)
    middleware[at_csrf:at_csrf] = SESSION_MIDDLEWARE
    return {
        "INSTALLED_APPS": [*apps[:contrib], *ADMIN_APPS, *apps[contrib:]],
        "MIDDLEWARE": middleware,
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [TEMPLATES_DIR],
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
        "STATIC_URL": "/static/",
        "WHITENOISE_USE_FINDERS": True,
        "WHITENOISE_AUTOREFRESH": False,
        # Staff sessions: a browser session, cookie over HTTPS only, not readable by scripts.
        "SESSION_ENGINE": "django.contrib.sessions.backends.cache",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_COOKIE_AGE": 8 * 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "UNFOLD": {"SITE_TITLE": f"{current.get('SERVICE_NAME', 'Platform')} admin"},
    }
