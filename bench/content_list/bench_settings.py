"""The content service's settings, with the peer's URL and no response cache: both sides
compute every response (the DRF list would otherwise be served from the Redis Cluster)."""

from content.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
