"""One settings builder every service calls: every value comes from the environment.

A service's ``config/settings.py`` does ``globals().update(build_settings(...))`` and then
adds only what is its own. ``ENV_FILE`` may name a dotenv file whose values fill in the
variables that are not already set (local development); on Kubernetes the pod's
environment is the only source.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import environ

from platform_common.events.conf import DEFAULTS as EVENTS_DEFAULTS
from platform_common.observability.logging import logging_config

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
LOCAL_STORAGE = "django.core.files.storage.FileSystemStorage"


def _read_env() -> environ.Env:
    env = environ.Env()
    env_file = os.environ.get("ENV_FILE")
    if env_file:
        # read_env never overrides a variable that is already set.
        environ.Env.read_env(env_file)
    return env


def build_settings(
    *,
    service: str,
    base_dir: Path,
    apps: list[str],
    root_urlconf: str,
    asgi_application: str | None = None,
) -> dict[str, Any]:
    """Return the Django settings of ``service`` as a dict of upper-case names."""
    env = _read_env()
    debug = env.bool("DJANGO_DEBUG", default=False)
    database = env.db_url("DATABASE_URL")
    database["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    database["CONN_HEALTH_CHECKS"] = True
    # PgBouncer in transaction mode: no server-side cursors, no session state.
    database["DISABLE_SERVER_SIDE_CURSORS"] = True
    database["ATOMIC_REQUESTS"] = False
    # Fail fast (and let /readyz say so) instead of hanging on an unreachable database.
    database.setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
    max_body = env.int("MAX_REQUEST_BODY_BYTES", default=DEFAULT_MAX_BODY_BYTES)
    amqp_url = env.str("AMQP_URL", default="amqp://guest:guest@127.0.0.1:5672//")

    settings: dict[str, Any] = {
        "SERVICE_NAME": service,
        "BASE_DIR": base_dir,
        "SECRET_KEY": env.str("DJANGO_SECRET_KEY"),
        "DEBUG": debug,
        "ALLOWED_HOSTS": env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"]),
        "INSTALLED_APPS": [
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "rest_framework",
            "drf_spectacular",
            "django_filters",
            # First of ours: tracing and Sentry are set up before anything serves.
            "platform_common.observability",
            "platform_common.events",
            *apps,
        ],
        "MIDDLEWARE": [
            # First: nothing may read a forwarded header the gateway did not vouch for.
            "platform_common.proxy.TrustedProxyMiddleware",
            "platform_common.observability.middleware.MetricsMiddleware",
            "platform_common.observability.middleware.RequestIdMiddleware",
            "platform_common.api.middleware.BodySizeLimitMiddleware",
            # Compresses what everything below produced; the ETag below is of the plain body.
            "platform_common.api.middleware.CompressionMiddleware",
            "django.middleware.http.ConditionalGetMiddleware",
            "django.middleware.security.SecurityMiddleware",
            "django.middleware.common.CommonMiddleware",
            # API views authenticate by bearer token (DRF exempts them); kept for any form view.
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        "ROOT_URLCONF": root_urlconf,
        "WSGI_APPLICATION": f"{service}.config.wsgi.application",
        "ASGI_APPLICATION": asgi_application,
        "DATABASES": {"default": database},
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "CACHES": {
            "default": {
                "BACKEND": "platform_common.cache.RedisClusterCache",
                "LOCATION": env.str("REDIS_CLUSTER_URL", default="redis://127.0.0.1:7000/0"),
                "KEY_PREFIX": service,
            }
        },
        "REDIS_URL": env.str("REDIS_URL", default="redis://127.0.0.1:6379/0"),
        "AMQP_URL": amqp_url,
        "CELERY_BROKER_URL": amqp_url,
        # Shared with the gateway, which proves with it that it sent the forwarded headers.
        # Required outside debug mode: without it no forwarded address would ever count.
        "GATEWAY_PROXY_SECRET": env.str(
            "GATEWAY_PROXY_SECRET", default="" if debug else environ.Env.NOTSET
        ),
        "JWT_ISSUER": env.str("JWT_ISSUER"),
        "JWT_AUDIENCE": env.str("JWT_AUDIENCE", default="platform"),
        "JWKS_URL": env.str("JWKS_URL"),
        "LANGUAGE_CODE": "en-us",
        "TIME_ZONE": "UTC",
        "USE_I18N": False,
        "USE_TZ": True,
        # The services serve no static files; Django (and live-server tests) still need a URL.
        "STATIC_URL": "static/",
        "DATA_UPLOAD_MAX_MEMORY_SIZE": max_body,
        "FILE_UPLOAD_MAX_MEMORY_SIZE": max_body,
        "MAX_REQUEST_BODY_BYTES": max_body,
        **{name: env.float(name, default=default) for name, default in EVENTS_DEFAULTS.items()},
        # Port of /metrics for a process without a web port (Celery worker, relay); 0: none.
        "METRICS_PORT": env.int("METRICS_PORT", default=0),
        "REST_FRAMEWORK": {
            "DEFAULT_AUTHENTICATION_CLASSES": ["platform_common.auth.drf.JWTAuthentication"],
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
            "DEFAULT_PARSER_CLASSES": ["platform_common.api.parsers.JSONParser"],
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_PAGINATION_CLASS": "platform_common.api.pagination.PageNumberPagination",
            "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
            "DEFAULT_SCHEMA_CLASS": "platform_common.api.schema.AutoSchema",
            "EXCEPTION_HANDLER": "platform_common.api.errors.problem_exception_handler",
            "UNAUTHENTICATED_USER": None,
            "PAGE_SIZE": 20,
        },
        "SPECTACULAR_SETTINGS": {
            "TITLE": f"{service} API",
            "VERSION": "1.0.0",
            "SERVE_INCLUDE_SCHEMA": False,
            # Separate request and response components: input is documented as it is
            # checked (no read-only fields, no unknown keys, no blank required strings).
            "COMPONENT_SPLIT_REQUEST": True,
        },
        "LOGGING": logging_config(service=service, level=env.str("LOG_LEVEL", default="INFO")),
        # Security headers; TLS terminates in front of the gateway. The forwarded host and
        # scheme reach Django only from the gateway (TrustedProxyMiddleware drops them
        # otherwise), so absolute URLs such as pagination links point at the gateway.
        "USE_X_FORWARDED_HOST": True,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "SECURE_SSL_REDIRECT": env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not debug),
        # Probes, scrapes and the JWKS are fetched inside the cluster over plain HTTP.
        "SECURE_REDIRECT_EXEMPT": [
            r"^healthz$",
            r"^readyz$",
            r"^metrics$",
            r"^\.well-known/jwks\.json$",
        ],
        "SECURE_HSTS_SECONDS": env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000),
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "X_FRAME_OPTIONS": "DENY",
        "CSRF_FAILURE_VIEW": "platform_common.api.errors.csrf_failure",
    }
    return settings


def storage_options(
    *, backend: str, options: dict[str, Any], base_dir: Path, base_url: str, location: str
) -> dict[str, Any]:
    """The ``OPTIONS`` of an image storage of ``STORAGES``: the local one gets ``base_url``
    (where the service serves its files) and a ``location`` resolved against ``base_dir``;
    any other backend takes ``options`` as they are."""
    if backend != LOCAL_STORAGE:
        return options
    return {
        "base_url": base_url,
        **options,
        "location": str(base_dir / options.get("location", location)),
    }
