"""Reads of subscriptions."""

from collections.abc import Iterable, Iterator
from uuid import UUID

from django.db.models import Q, QuerySet

from notifications.subscriptions.models import Subscription, TargetType

SUBSCRIBER_PAGE_SIZE = 1000


def subscription_list(
    *, user_id: UUID, target_type: TargetType | None = None
) -> QuerySet[Subscription]:
    """The user's subscriptions, newest first; ``target_type`` keeps only that kind."""
    subscriptions = Subscription.objects.filter(user_id=user_id)
    if target_type is not None:
        subscriptions = subscriptions.filter(target_type=target_type)
    return subscriptions.order_by("-created_at")


def subscriber_id_pages(
    *,
    targets: Iterable[tuple[TargetType, UUID | None]],
    page_size: int = SUBSCRIBER_PAGE_SIZE,
    after: UUID | None = None,
) -> Iterator[list[UUID]]:
    """Every user following any of ``targets`` (with an id above ``after``), each once, in
    id order, page by page (keyset pages: a fan-out never holds them all at once)."""
    followers = Q(pk__in=[])
    for target_type, target_id in targets:
        followers |= Q(target_type=target_type, target_id=target_id)
    while True:
        page = Subscription.objects.filter(followers)
        if after is not None:
            page = page.filter(user_id__gt=after)
        ids = list(
            page.order_by("user_id").values_list("user_id", flat=True).distinct()[:page_size]
        )
        if ids:
            yield ids
        if len(ids) < page_size:
            return
        after = ids[-1]
