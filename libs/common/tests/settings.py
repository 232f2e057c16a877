"""Settings for the library's own tests: the real builder, plus a tiny app exercising it."""

import os
from pathlib import Path

from platform_common.observability.setup import setup_observability
from platform_common.settings import build_settings
from tests.spans import PROCESSOR

for name, value in {
    "DJANGO_SECRET_KEY": "platform-common-tests-only-secret-key-0123456789abcdef",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/platform_common",
    "REDIS_CLUSTER_URL": "redis://127.0.0.1:7000/0",
    "AMQP_URL": "amqp://guest:guest@127.0.0.1:5672//",
    "JWT_ISSUER": "http://accounts.test",
    "JWKS_URL": "http://127.0.0.1:9/.well-known/jwks.json",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "MAX_REQUEST_BODY_BYTES": "4096",
    "GATEWAY_PROXY_SECRET": "platform-common-tests-gateway-proxy-secret",
}.items():
    os.environ.setdefault(name, value)

# Before the apps are ready (whose call then changes nothing): spans are recorded in memory.
setup_observability(service="platform_common_tests", span_processor=PROCESSOR)

globals().update(
    build_settings(
        service="platform_common_tests",
        base_dir=Path(__file__).resolve().parent,
        apps=["tests.testapp"],
        root_urlconf="tests.urls",
    )
)
