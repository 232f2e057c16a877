"""Followers of targets, read page by page for the fan-out."""

import uuid

import pytest

from notifications.subscriptions.models import Subscription, TargetType
from notifications.subscriptions.selectors import subscriber_id_pages

pytestmark = pytest.mark.django_db


def test_followers_of_several_targets_come_once_each_in_pages() -> None:
    author, category = uuid.uuid4(), uuid.uuid4()
    both = [uuid.uuid4() for _ in range(3)]
    only_author = [uuid.uuid4() for _ in range(2)]
    for user_id in both:
        Subscription.objects.create(user_id=user_id, target_type="author", target_id=author)
        Subscription.objects.create(user_id=user_id, target_type="category", target_id=category)
    for user_id in only_author:
        Subscription.objects.create(user_id=user_id, target_type="author", target_id=author)
    Subscription.objects.create(user_id=uuid.uuid4(), target_type="author", target_id=uuid.uuid4())

    pages = list(
        subscriber_id_pages(
            targets=[(TargetType.AUTHOR, author), (TargetType.CATEGORY, category)], page_size=2
        )
    )

    assert [len(page) for page in pages] == [2, 2, 1]
    assert [user for page in pages for user in page] == sorted(both + only_author)
