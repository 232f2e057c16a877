"""Django project of the events benchmark: service ``bench``, own database and vhost."""

import os
from pathlib import Path

from platform_common.settings import build_settings

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_events")
os.environ.setdefault("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/bench_events")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
os.environ.setdefault("JWT_ISSUER", "http://issuer.test")
os.environ.setdefault("JWKS_URL", "http://127.0.0.1:1/jwks.json")
os.environ.setdefault("LOG_LEVEL", "WARNING")

globals().update(
    build_settings(
        service="bench",
        base_dir=Path(__file__).parent,
        apps=["bench_app"],
        root_urlconf="bench_app.urls",
    )
)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
