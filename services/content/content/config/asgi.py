"""ASGI entry point of the content service; REST is served through WSGI (see wsgi.py)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "content.config.settings")

application = get_asgi_application()
