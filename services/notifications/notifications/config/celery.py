import os

from platform_common.events.worker import create_celery_app

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notifications.config.settings")
app = create_celery_app("notifications")
