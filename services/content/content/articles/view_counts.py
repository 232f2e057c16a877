"""Article views: counted in Redis on each read, added to Postgres by a periodic flush.

A read is one HINCRBY on a hash in the Redis Cluster (no database write per read). The
flush (Celery beat, ``flush_article_views``) renames the hash aside, adds its counts to
``Article.view_count`` in one transaction, then deletes it. Both keys share a hash tag, so
they live in one slot and the rename is atomic. A flush that dies before its delete leaves
the renamed hash behind and the next flush finishes it first: no count is lost; one that
dies between its commit and its delete counts that batch twice (at least once, never less).
"""

import logging
from uuid import UUID

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import F
from redis.cluster import RedisCluster
from redis.exceptions import RedisError, ResponseError

from content.articles.models import Article
from platform_common.cache import RedisClusterCache

logger = logging.getLogger(__name__)


def _keys() -> tuple[str, str]:
    base = settings.ARTICLE_VIEWS_KEY
    return f"{{{base}}}:pending", f"{{{base}}}:flushing"


def _cluster() -> RedisCluster:
    cache = caches["default"]
    assert isinstance(cache, RedisClusterCache)
    return cache.cluster


def article_view_record(*, article_id: UUID) -> None:
    """Count one read; a Redis outage loses the count, never the read."""
    pending, _ = _keys()
    try:
        _cluster().hincrby(pending, str(article_id), 1)
    except RedisError:
        logger.warning("article view not counted: Redis Cluster unavailable")


def article_views_flush() -> int:
    """Add the views counted in Redis to the articles; returns how many were added."""
    pending, flushing = _keys()
    cluster = _cluster()
    if not cluster.exists(flushing):
        try:
            cluster.renamenx(pending, flushing)
        except ResponseError:
            # No such key: nothing was read since the last flush.
            return 0
    counts = {_uuid(key): int(views) for key, views in cluster.hgetall(flushing).items()}
    with transaction.atomic():
        # In id order: concurrent flushes (there should be one beat) cannot deadlock.
        for article_id in sorted(counts):
            Article.all_objects.filter(id=article_id).update(
                view_count=F("view_count") + counts[article_id]
            )
    cluster.delete(flushing)
    return sum(counts.values())


def _uuid(key: bytes | str) -> UUID:
    return UUID(key.decode() if isinstance(key, bytes) else key)
