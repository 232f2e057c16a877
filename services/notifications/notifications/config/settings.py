"""Settings of the notifications service: the shared builder plus what is its own."""

from pathlib import Path

import environ

from notifications.config.channel_layer import channel_layer_host
from platform_common.admin import admin_settings
from platform_common.settings import build_settings

_shared = build_settings(
    service="notifications",
    base_dir=Path(__file__).resolve().parent.parent.parent,
    apps=[
        "channels",
        "notifications.inbox",
        "notifications.subscriptions",
        "notifications.preferences",
        "notifications.delivery",
    ],
    root_urlconf="notifications.config.urls",
    asgi_application="notifications.config.asgi.application",
)
globals().update(_shared)
# The staff admin (/admin/ on the service): staff sign in with their accounts identity.
globals().update(admin_settings(_shared))

# Shared settings this service reads directly, declared so type checkers know them.
JWT_ISSUER: str
JWT_AUDIENCE: str
JWKS_URL: str

# Message templates per notification type and locale (delivery/templates) are found by the
# admin's TEMPLATES (APP_DIRS); their rendering uses no request context.

_env = environ.Env()  # build_settings has already loaded ENV_FILE, if any.

# Every mail goes through SMTP (development: the local sink `make up` runs on port 1025).
EMAIL_BACKEND = _env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = _env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = _env.int("EMAIL_PORT", default=25)
EMAIL_USE_TLS = _env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = _env.str("DEFAULT_FROM_EMAIL", default="no-reply@platform.local")

# Where links in messages lead: the web app's base address (paths are appended).
NOTIFICATION_LINK_BASE_URL = _env.str("NOTIFICATION_LINK_BASE_URL", default="http://localhost:8000")
# SMS and push providers: an HTTP webhook when its URL is set, else the local sink folder
# (one JSON file per message under <dir>/<channel>/) when set, else the channel is off.
SMS_WEBHOOK_URL = _env.str("SMS_WEBHOOK_URL", default="")
PUSH_WEBHOOK_URL = _env.str("PUSH_WEBHOOK_URL", default="")
PROVIDER_SINK_DIR = _env.str("PROVIDER_SINK_DIR", default="")

# channels-redis cannot talk to the Redis Cluster: the layer has a Redis of its own,
# found through Sentinel in a cluster (see channel_layer.py).
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "notifications.config.channel_layer.ChannelLayer",
        "CONFIG": {
            "hosts": [
                channel_layer_host(
                    url=_shared["REDIS_URL"],
                    sentinels=_env.str("CHANNEL_LAYER_SENTINELS", default=""),
                    master=_env.str("CHANNEL_LAYER_SENTINEL_MASTER", default="mymaster"),
                )
            ],
            "prefix": "notifications",
        },
    }
}
