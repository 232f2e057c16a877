"""Settings of the accounts service: the shared builder, then what only accounts needs."""

from datetime import timedelta
from pathlib import Path

import environ

from platform_common.settings import build_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent

globals().update(
    build_settings(
        service="accounts",
        base_dir=BASE_DIR,
        apps=["accounts.users", "accounts.tokens"],
        root_urlconf="accounts.config.urls",
    )
)

# Set by build_settings; declared so the type checker knows them.
JWT_ISSUER: str
JWT_AUDIENCE: str

env = environ.Env()  # build_settings has already loaded ENV_FILE, if any.

# The shared builder sets no STATIC_URL; Django's live test server needs one.
STATIC_URL = "/static/"

AUTH_USER_MODEL = "users.User"
# Logins go through accounts.tokens.services, not django.contrib.auth.authenticate().
AUTHENTICATION_BACKENDS: list[str] = []
SILENCED_SYSTEM_CHECKS = [
    # User.email is unique case-insensitively (a constraint on Lower("email")), which
    # this check cannot see.
    "auth.W004",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A relative directory resolves against this service's folder (dev: <repo>/.local/keys).
JWT_SIGNING_KEYS_DIR = BASE_DIR / env.str("JWT_SIGNING_KEYS_DIR")
JWT_ACTIVE_KID = env.str("JWT_ACTIVE_KID", default="")
JWT_ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)
JWT_REFRESH_TOKEN_LIFETIME = timedelta(days=7)
JWT_KEY_PROVIDER = "accounts.tokens.keys.LocalKeyProvider"
JWKS_MAX_AGE_SECONDS = 300

DEMO_USER_PASSWORD = env.str("DEMO_USER_PASSWORD", default="demo-password-123")
