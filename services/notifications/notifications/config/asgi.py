"""ASGI entry point (uvicorn notifications.config.asgi:application): REST and WebSockets."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notifications.config.settings")

# Django must be set up before anything imports models (the consumers do).
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from notifications.inbox.routing import websocket_urlpatterns  # noqa: E402
from notifications.inbox.socket_auth import JWTAuthMiddleware  # noqa: E402
from platform_common.observability.setup import observed_asgi  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Django's own instrumentation traces HTTP; a socket gets the ASGI one's span.
        "http": django_application,
        "websocket": observed_asgi(JWTAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
