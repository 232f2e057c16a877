"""Django settings of the events library tests: service ``evtest``, own database."""

import os
from pathlib import Path

from platform_common.settings import build_settings

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/platform_events")
os.environ.setdefault("DJANGO_SECRET_KEY", "events-tests-only")
os.environ.setdefault("JWT_ISSUER", "http://issuer.test")
os.environ.setdefault("JWKS_URL", "http://127.0.0.1:1/jwks.json")
# A vhost of our own: test events never reach the real services' queues (conftest creates it).
os.environ.setdefault("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/platform_events_test")

globals().update(
    build_settings(
        service="evtest",
        base_dir=Path(__file__).parent,
        apps=["evtest_app"],
        root_urlconf="evtest_app.urls",
    )
)
# The events code uses no cache; keep these tests independent of the Redis Cluster.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EVENTS_RETRY_BASE_SECONDS = 1
EVENTS_RETRY_MAX_SECONDS = 1
EVENTS_MAX_RETRIES = 2
