"""Celery app of the evtest service: celery -A evtest_celery worker."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "events_test_settings")

from platform_common.events.worker import create_celery_app

app = create_celery_app("evtest")
