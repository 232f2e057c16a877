"""Public reads cached in the Redis Cluster, invalidated by generation, computed once.

An anonymous read is the same for everyone, so its response is kept under a key naming
the *generations* of what it shows: the article feed (``FEED``) and, for one article's
detail or comments, that article's own scope. A write that changes what a read shows bumps
the generations after its transaction commits (``public_cache_invalidate``): the next read
looks under a new key, so it misses and recomputes; the old entries expire unread.

A miss is computed once (``cached_once``): the first reader takes a short lock and
computes; the others poll the key briefly and, if the leader is too slow or died, compute
themselves rather than fail.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar
from uuid import UUID

from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from platform_common.auth.drf import optional_principal

logger = logging.getLogger(__name__)

FEED = "feed"
# A safety net only: invalidation, not expiry, is what keeps reads current.
PUBLIC_TTL_SECONDS = 300
# How long a leader may compute before another reader may take over.
LOCK_SECONDS = 10
# How long the other readers wait for the leader, and how often they look.
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.02
# Response headers kept with the cached body (the ETag is the middleware's, of the body).
CACHED_HEADERS = ("Last-Modified",)

T = TypeVar("T")
P = ParamSpec("P")
V = TypeVar("V", bound=APIView)
_MISSING = object()


def article_scope(article_id: UUID | str) -> str:
    return f"article:{article_id}"


def _generation_key(scope: str) -> str:
    return f"gen:{scope}"


def public_cache_invalidate(*, article_id: UUID | None = None) -> None:
    """After the current transaction commits, make every cached read of the feed (and of
    ``article_id``'s detail and comments) stale."""
    scopes = [FEED] if article_id is None else [FEED, article_scope(article_id)]
    transaction.on_commit(lambda: _bump(scopes))


def author_cache_invalidate(*, author_id: UUID) -> None:
    """After the current transaction commits, make every cached read showing the author
    stale: their name and avatar ride in the feed and in each of their articles."""
    from content.articles.models import Article  # the articles app imports this module

    ids = Article.objects.filter(author_id=author_id).values_list("id", flat=True)
    scopes = [FEED, *(article_scope(article_id) for article_id in ids)]
    transaction.on_commit(lambda: _bump(scopes))


def _bump(scopes: list[str]) -> None:
    try:
        for scope in scopes:
            key = cache.make_and_validate_key(_generation_key(scope))
            cache.cluster.incr(key)  # type: ignore[attr-defined]
    except RedisError:
        # The write is committed; entries still expire after PUBLIC_TTL_SECONDS.
        logger.warning("Could not invalidate cached reads of %s", scopes, exc_info=True)


def _generations(scopes: list[str]) -> str:
    found = cache.get_many([_generation_key(scope) for scope in scopes])
    return ".".join(str(found.get(_generation_key(scope), 0)) for scope in scopes)


def cached_once(
    key: str,
    compute: Callable[[], T],
    *,
    timeout: int = PUBLIC_TTL_SECONDS,
    wait: float = WAIT_SECONDS,
) -> T:
    """The value cached under ``key``; on a miss, ``compute()`` runs once across every
    process asking at the same time, the others waiting up to ``wait`` seconds for it."""
    value = cache.get(key, _MISSING)
    if value is not _MISSING:
        return value  # type: ignore[no-any-return]
    lock = f"{key}:lock"
    if cache.add(lock, 1, LOCK_SECONDS):
        try:
            value = compute()
            cache.set(key, value, timeout)
        finally:
            cache.delete(lock)
        return value
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        value = cache.get(key, _MISSING)
        if value is not _MISSING:
            return value  # type: ignore[no-any-return]
    # The leader is slow or gone: answer anyway, from the database.
    return compute()


def public_cached(
    scopes: Callable[..., list[str]],
) -> Callable[
    [Callable[Concatenate[V, Request, P], Response]],
    Callable[Concatenate[V, Request, P], Response],
]:
    """Decorate an API view's ``get``: anonymous callers are answered from the cache.

    ``scopes(**view_kwargs)`` names the generations the response depends on. Only
    successful responses are kept (errors are raised, so never reach the cache). Signed-in
    callers may see more (their drafts), so they always read the database.
    """

    def decorate(
        method: Callable[Concatenate[V, Request, P], Response],
    ) -> Callable[Concatenate[V, Request, P], Response]:
        @wraps(method)
        def get(view: V, request: Request, /, *args: P.args, **kwargs: P.kwargs) -> Response:
            if optional_principal(request) is not None:
                return method(view, request, *args, **kwargs)

            def compute() -> tuple[int, Any, dict[str, str]]:
                response = method(view, request, *args, **kwargs)
                headers = {name: response[name] for name in CACHED_HEADERS if name in response}
                return response.status_code, response.data, headers

            try:
                generations = _generations(scopes(**kwargs))
            except RedisError:
                logger.warning("Cache unavailable; reading the database", exc_info=True)
                return method(view, request, *args, **kwargs)
            url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
            status, data, headers = cached_once(f"public:{generations}:{url}", compute)
            return Response(data, status=status, headers=headers)

        return get

    return decorate
