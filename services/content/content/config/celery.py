import os

from django.conf import settings

from platform_common.events.worker import create_celery_app, schedule_periodic

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "content.config.settings")
app = create_celery_app("content")

# Imported once Django is set up (create_celery_app does it): the tasks use the models.
from content.articles import tasks  # noqa: E402

schedule_periodic(
    app,
    name=tasks.FLUSH_VIEWS_TASK,
    run=tasks.flush_article_views,
    every_seconds=settings.ARTICLE_VIEWS_FLUSH_SECONDS,
)
schedule_periodic(
    app,
    name=tasks.PUBLISH_DUE_TASK,
    run=tasks.publish_due_articles,
    every_seconds=settings.ARTICLE_PUBLISH_DUE_SECONDS,
)
