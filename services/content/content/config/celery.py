import os

from platform_common.events.worker import create_celery_app

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "content.config.settings")
app = create_celery_app("content")
