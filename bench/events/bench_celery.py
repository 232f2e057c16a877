import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")

from platform_common.events.worker import create_celery_app

app = create_celery_app("bench")
