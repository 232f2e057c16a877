"""WSGI entry point of the content service (gunicorn content.config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "content.config.settings")

application = get_wsgi_application()
