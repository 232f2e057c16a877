"""Periodic work of the articles app, scheduled by Celery beat (content/config/celery.py)."""

import logging

from content.articles.view_counts import article_views_flush

logger = logging.getLogger(__name__)

FLUSH_VIEWS_TASK = "content.articles.flush_views"


def flush_article_views() -> None:
    added = article_views_flush()
    if added:
        logger.info("article views flushed", extra={"views": added})
