"""Periodic work of the articles app, scheduled by Celery beat (content/config/celery.py)."""

import logging

from django.utils import timezone

from content.articles.view_counts import article_views_flush
from content.articles.workflow import article_publish_due

logger = logging.getLogger(__name__)

FLUSH_VIEWS_TASK = "content.articles.flush_views"
PUBLISH_DUE_TASK = "content.articles.publish_due"


def flush_article_views() -> None:
    added = article_views_flush()
    if added:
        logger.info("article views flushed", extra={"views": added})


def publish_due_articles() -> None:
    published = article_publish_due(now=timezone.now())
    if published:
        logger.info("scheduled articles published", extra={"articles": published})
