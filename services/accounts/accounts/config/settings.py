"""Settings of the accounts service: the shared builder, then what only accounts needs."""

from datetime import timedelta
from pathlib import Path

import environ

from platform_common.admin import admin_settings
from platform_common.settings import LOCAL_STORAGE, build_settings, storage_options

BASE_DIR = Path(__file__).resolve().parent.parent.parent

globals().update(
    build_settings(
        service="accounts",
        base_dir=BASE_DIR,
        apps=[
            "axes",
            "accounts.users",
            "accounts.tokens",
            "accounts.mfa",
            "accounts.audit",
            "accounts.teams",
        ],
        root_urlconf="accounts.config.urls",
    )
)

# The staff admin (/admin/ on the service, not through the gateway): Unfold theme, sessions.
globals().update(admin_settings(globals()))

# Set by build_settings; declared so the type checker knows them.
JWT_ISSUER: str
JWT_AUDIENCE: str
GATEWAY_PROXY_SECRET: str

env = environ.Env()  # build_settings has already loaded ENV_FILE, if any.


AUTH_USER_MODEL = "users.User"
# Logins (accounts.tokens.services.credentials_authenticate) go through authenticate(): django-axes
# refuses locked-out clients first, then the email backend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.users.backends.EmailBackend",
]
SILENCED_SYSTEM_CHECKS = [
    # User.email is unique case-insensitively (a constraint on Lower("email")), which
    # this check cannot see.
    "auth.W004",
    # AxesMiddleware only turns a lockout into axes' own response; the token API answers
    # it itself as a problem+json 429.
    "axes.W002",
]
# Argon2id hashes new passwords; a login with a hash of an older hasher re-hashes it with
# Argon2 (Django's check_password upgrade), so PBKDF2 hashes fade out as users sign in.
PASSWORD_HASHERS = [
    "accounts.users.hashers.PlatformArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Signing keys come from files, the environment, or both (accounts.tokens.keys). A relative
# directory resolves against this service's folder (dev: <repo>/.local/keys).
_signing_keys_dir = env.str("JWT_SIGNING_KEYS_DIR", default="")
JWT_SIGNING_KEYS_DIR = BASE_DIR / _signing_keys_dir if _signing_keys_dir else None
JWT_SIGNING_KEYS = env.str("JWT_SIGNING_KEYS", default="")
JWT_ACTIVE_KID = env.str("JWT_ACTIVE_KID", default="")
# A rotated key is published at once and signs only this long after the rotation: longer
# than a rolling restart of accounts plus the verifiers' JWKS cache (JWKS_MAX_AGE_SECONDS).
JWT_KEY_PUBLISH_GRACE = timedelta(seconds=env.int("JWT_KEY_PUBLISH_GRACE_SECONDS", default=900))
# A superseded key keeps verifying this long after its successor signs: longer than an
# access token lives (JWT_ACCESS_TOKEN_LIFETIME); then the next rotation retires it.
JWT_KEY_VERIFY_GRACE = timedelta(seconds=env.int("JWT_KEY_VERIFY_GRACE_SECONDS", default=3600))
JWT_ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)
# A refresh token lives JWT_REFRESH_TOKEN_LIFETIME from its rotation (sliding), a session
# (all tokens of one login) at most JWT_REFRESH_SESSION_LIFETIME. A spent token presented
# again within JWT_REFRESH_REUSE_GRACE is a concurrent duplicate, later a theft.
JWT_REFRESH_TOKEN_LIFETIME = timedelta(days=env.int("JWT_REFRESH_TOKEN_DAYS", default=7))
JWT_REFRESH_SESSION_LIFETIME = timedelta(days=env.int("JWT_REFRESH_SESSION_DAYS", default=30))
JWT_REFRESH_REUSE_GRACE = timedelta(seconds=env.int("JWT_REFRESH_REUSE_GRACE_SECONDS", default=10))
JWT_KEY_PROVIDER = "accounts.tokens.keys.LocalKeyProvider"
JWKS_MAX_AGE_SECONDS = 300

# Brute-force protection of the login (django-axes). Failures are counted in the default
# cache (the Redis Cluster) per email and client IP; AXES_FAILURE_LIMIT of them lock that
# pair out for AXES_COOLOFF_MINUTES, counted again from every refused attempt.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "default"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "email"
AXES_USERNAME_CALLABLE = "accounts.tokens.lockout.lockout_username"
# The forwarded address counts only when the gateway's secret came with it.
AXES_CLIENT_IP_CALLABLE = "platform_common.proxy.client_ip"
AXES_RESET_ON_SUCCESS = True
# axes logs every failure and lockout: the typed email (sometimes a password typed into the
# email field) and the address are masked in those lines.
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
# The cache handler never writes axes' models; keep their tables out of the database.
MIGRATION_MODULES = {"axes": None}

# Multi-factor authentication (accounts.mfa). TOTP secrets are encrypted with the first of
# MFA_ENCRYPTION_KEYS (Fernet keys, a secret); every one of them decrypts. A login of an MFA
# user answers a challenge, spent with a code within MFA_CHALLENGE_LIFETIME and dead after
# MFA_CHALLENGE_MAX_ATTEMPTS wrong codes; wrong codes also slow the user's authenticator
# down exponentially (django-otp's throttle: 1 s, 2 s, 4 s... times the factor).
MFA_ENCRYPTION_KEYS = env.list("MFA_ENCRYPTION_KEYS")
MFA_CHALLENGE_LIFETIME = timedelta(seconds=env.int("MFA_CHALLENGE_SECONDS", default=300))
MFA_CHALLENGE_MAX_ATTEMPTS = 5
MFA_THROTTLE_FACTOR_SECONDS = 1
MFA_TOTP_ISSUER = "Platform"

# Links mailed to users (email verification, password reset) open the web app at this
# address; the token rides in the fragment, which browsers never send to a server.
ACCOUNT_LINK_BASE_URL = env.str("ACCOUNT_LINK_BASE_URL").rstrip("/")
EMAIL_VERIFICATION_LIFETIME = timedelta(hours=env.int("EMAIL_VERIFICATION_HOURS", default=48))
PASSWORD_RESET_LIFETIME = timedelta(minutes=env.int("PASSWORD_RESET_MINUTES", default=30))

DEMO_USER_PASSWORD = env.str("DEMO_USER_PASSWORD", default="demo-password-123")

# Avatars (profile pictures), stored through a Django storage: the local filesystem by
# default, any django-storages backend (e.g. "storages.backends.s3.S3Storage" with
# {"bucket_name": ..., "custom_domain": ...}; credentials from the AWS_* environment) by
# AVATAR_STORAGE_BACKEND and AVATAR_STORAGE_OPTIONS. A relative local location resolves
# against this service's folder; the local files are served by accounts at AVATAR_BASE_URL.
AVATAR_BASE_URL = env.str(
    "AVATAR_BASE_URL", default=f"{ACCOUNT_LINK_BASE_URL}/api/v1/accounts/avatars/"
)
AVATAR_STORAGE_BACKEND = env.str("AVATAR_STORAGE_BACKEND", default=LOCAL_STORAGE)
AVATAR_STORAGE_OPTIONS = storage_options(
    backend=AVATAR_STORAGE_BACKEND,
    options=env.json("AVATAR_STORAGE_OPTIONS", default={}),
    base_dir=BASE_DIR,
    base_url=AVATAR_BASE_URL,
    location="media/avatars",
)
STORAGES = {
    "default": {"BACKEND": LOCAL_STORAGE},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "avatars": {"BACKEND": AVATAR_STORAGE_BACKEND, "OPTIONS": AVATAR_STORAGE_OPTIONS},
}
