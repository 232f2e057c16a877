"""Django project of the zero-loss fault test: service ``chaos``, own database and vhost."""

import os
from pathlib import Path

from platform_common.settings import build_settings

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chaos_events")
os.environ.setdefault("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/chaos_events")
os.environ.setdefault("DJANGO_SECRET_KEY", "chaos-test-only")
os.environ.setdefault("JWT_ISSUER", "http://issuer.test")
os.environ.setdefault("JWKS_URL", "http://127.0.0.1:1/jwks.json")

globals().update(
    build_settings(
        service="chaos",
        base_dir=Path(__file__).parent,
        apps=["chaos_app"],
        root_urlconf="chaos_app.urls",
    )
)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
