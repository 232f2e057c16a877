"""Settings of the notifications service: the shared builder plus what is its own."""

from pathlib import Path

import environ

from notifications.config.redis_connection import CancellationSafeConnection
from platform_common.settings import build_settings

_shared = build_settings(
    service="notifications",
    base_dir=Path(__file__).resolve().parent.parent.parent,
    apps=["channels", "notifications.inbox"],
    root_urlconf="notifications.config.urls",
    asgi_application="notifications.config.asgi.application",
)
globals().update(_shared)

# Shared settings this service reads directly, declared so type checkers know them.
JWT_ISSUER: str
JWT_AUDIENCE: str
JWKS_URL: str

env = environ.Env()  # build_settings has already loaded ENV_FILE, if any.

# Account mails (verification and reset links). SMTP by default; development writes each
# mail to a file instead (EMAIL_BACKEND=...filebased.EmailBackend, EMAIL_FILE_PATH).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default="")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@platform.local")

# channels-redis cannot talk to the Redis Cluster, so the layer uses the plain Redis.
# channels-redis waits for messages with a blocking BZPOPMIN of this many seconds
# (RedisChannelLayer.brpop_timeout, not configurable through CONFIG).
_CHANNEL_LAYER_BLOCKING_READ_SECONDS = 5
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": _shared["REDIS_URL"],
                    # A best-effort push must not hang on an unreachable Redis.
                    "socket_connect_timeout": 2,
                    # redis-py 8 defaults to a 5 s read timeout, which fires during the
                    # layer's own blocking read and kills every idle socket's consumer.
                    "socket_timeout": _CHANNEL_LAYER_BLOCKING_READ_SECONDS * 2,
                    # With a socket timeout, redis-py sends through asyncio.wait_for, which
                    # on Python 3.11 can swallow a cancellation: a consumer's receive would
                    # then outlive its closed socket. Only redis:// URLs (rediss:// and
                    # unix:// replace the class).
                    "connection_class": CancellationSafeConnection,
                }
            ],
            "prefix": "notifications",
        },
    }
}
