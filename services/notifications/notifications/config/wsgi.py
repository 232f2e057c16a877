"""WSGI entry point of the notifications service, for tools that expect one.

The service runs under uvicorn (see asgi.py), which also serves the WebSocket endpoint.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notifications.config.settings")

application = get_wsgi_application()
