import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accounts.config.settings")

from platform_common.events.worker import create_celery_app

app = create_celery_app("accounts")
