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
        "notifications.mqtt",
        "notifications.webhooks",
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

# Seconds a WebSocket ticket (POST /api/v1/notifications/ws-ticket/) can be redeemed in.
WS_TICKET_TTL_SECONDS = _env.int("WS_TICKET_TTL_SECONDS", default=30)
# Real-time sockets (inbox/consumers.py): frames queued for one socket before it is cut as
# a slow reader, sockets of one user per process, seconds between heartbeat frames, and
# unreadable client frames tolerated before the socket is closed.
WS_SEND_QUEUE_FRAMES = _env.int("WS_SEND_QUEUE_FRAMES", default=256)
WS_MAX_SOCKETS_PER_USER = _env.int("WS_MAX_SOCKETS_PER_USER", default=8)
WS_HEARTBEAT_SECONDS = _env.float("WS_HEARTBEAT_SECONDS", default=25.0)
WS_MAX_BAD_FRAMES = _env.int("WS_MAX_BAD_FRAMES", default=20)

# The MQTT broker (notifications/mqtt): users/<id>/notifications out, devices/<id>/... in.
# The bridge process subscribes as MQTT_CLIENT_ID with a persistent session (one bridge
# per client id: the broker disconnects an older holder of the id).
MQTT_HOST = _env.str("MQTT_HOST", default="127.0.0.1")
MQTT_PORT = _env.int("MQTT_PORT", default=1883)
MQTT_USERNAME = _env.str("MQTT_USERNAME", default="")
MQTT_PASSWORD = _env.str("MQTT_PASSWORD", default="")
MQTT_TLS = _env.bool("MQTT_TLS", default=False)
MQTT_CLIENT_ID = _env.str("MQTT_CLIENT_ID", default="notifications-mqtt-bridge")
MQTT_PUBLISH_TIMEOUT_SECONDS = _env.float("MQTT_PUBLISH_TIMEOUT_SECONDS", default=5.0)

# Webhooks (notifications/webhooks): the Fernet key their signing secrets are encrypted
# with (a secret; required), whether private, loopback and link-local destinations are
# allowed (development and tests only), the request timeout, attempts per delivery with
# exponential backoff, and failed deliveries in a row that disable an endpoint.
WEBHOOK_ENCRYPTION_KEY = _env.str("WEBHOOK_ENCRYPTION_KEY")
WEBHOOK_ALLOW_PRIVATE_DESTINATIONS = _env.bool("WEBHOOK_ALLOW_PRIVATE_DESTINATIONS", default=False)
WEBHOOK_TIMEOUT_SECONDS = _env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_ATTEMPTS = _env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = _env.float("WEBHOOK_RETRY_BASE_SECONDS", default=10.0)
WEBHOOK_RETRY_MAX_SECONDS = _env.float("WEBHOOK_RETRY_MAX_SECONDS", default=3600.0)
WEBHOOK_DISABLE_AFTER_FAILURES = _env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=5)
# A PEM file of private CAs whose certificates HTTPS receivers may also present (besides
# the public roots); certificates are verified either way.
WEBHOOK_CA_BUNDLE = _env.str("WEBHOOK_CA_BUNDLE", default="")
