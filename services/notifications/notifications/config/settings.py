"""Settings of the notifications service: the shared builder plus what is its own."""

from pathlib import Path

import environ

from notifications.config.channel_layer import channel_layer_host
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

# channels-redis cannot talk to the Redis Cluster: the layer has a Redis of its own,
# found through Sentinel in a cluster (see channel_layer.py).
_env = environ.Env()
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
