"""Fan-out from content events: who hears of what, once, never of their own action."""

import uuid
from typing import Any

import pytest

from notifications.delivery.fanout import FollowersJob, Notice, notify_followers_page
from notifications.delivery.models import Delivery
from notifications.preferences.types import Channel, NotificationType
from notifications.subscriptions.models import Subscription, TargetType
from platform_common.events import Envelope
from platform_common.testing.events import deliver, make_envelope

from .conftest import make_contact

pytestmark = pytest.mark.django_db


def follow(user_id: uuid.UUID, target_type: str, target_id: uuid.UUID | None) -> None:
    Subscription.objects.create(user_id=user_id, target_type=target_type, target_id=target_id)


def article_event(event_type: str, author: uuid.UUID, category: uuid.UUID | None) -> Envelope:
    article_id = uuid.uuid4()
    data: dict[str, Any] = {
        "article_id": str(article_id),
        "author_id": str(author),
        "category_id": str(category) if category else None,
        "title": "Compilers",
        "slug": "compilers",
    }
    if event_type == "published":
        data |= {
            "summary": "",
            "published_at": "2026-01-01T00:00:00+00:00",
            "editor_id": str(uuid.uuid4()),
        }
    return make_envelope(
        type=f"content.article.{event_type}",
        data=data,
        aggregate_id=article_id,
        aggregate_version=1,
    )


def comment_event(event_type: str, **data: Any) -> Envelope:
    comment_id = uuid.uuid4()
    values = {
        "comment_id": str(comment_id),
        "article_id": str(uuid.uuid4()),
        "article_author_id": str(uuid.uuid4()),
        "parent_comment_id": None,
        "parent_comment_author_id": None,
        "comment_author_id": str(uuid.uuid4()),
        "status": "approved",
        **data,
    }
    if event_type == "moderated":
        values = {"previous_status": "pending", "moderator_id": str(uuid.uuid4()), **values}
    return make_envelope(
        type=f"content.comment.{event_type}",
        data=values,
        aggregate_id=comment_id,
        aggregate_version=1,
    )


def notified(event: Envelope) -> dict[uuid.UUID, str]:
    """Recipient → notification type of the event's in-app deliveries."""
    return dict(
        Delivery.objects.filter(event_id=event.id, channel=Channel.IN_APP).values_list(
            "recipient_id", "notification_type"
        )
    )


def test_article_published_reaches_followers_of_author_and_category_once() -> None:
    author = make_contact(display_name="Grace").user_id
    category = uuid.uuid4()
    fan_of_author, fan_of_category, fan_of_both = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    follow(fan_of_author, "author", author)
    follow(fan_of_category, "category", category)
    follow(fan_of_both, "author", author)
    follow(fan_of_both, "category", category)
    follow(author, "category", category)  # the author follows their own category
    follow(uuid.uuid4(), "category", uuid.uuid4())  # an unrelated follower
    event = article_event("published", author, category)

    deliver(event)

    assert notified(event) == {
        fan_of_author: "article_published",
        fan_of_category: "article_published",
        fan_of_both: "article_published",
    }
    delivery = Delivery.objects.get(event_id=event.id, recipient_id=fan_of_both, channel="email")
    assert delivery.link == "/articles/compilers"
    assert delivery.context["actor_name"] == "Grace"


def test_article_without_category_reaches_the_authors_followers() -> None:
    author, fan = uuid.uuid4(), uuid.uuid4()
    follow(fan, "author", author)
    event = article_event("published", author, None)

    deliver(event)

    assert notified(event) == {fan: "article_published"}


def test_article_submitted_reaches_the_editors_following_the_review_queue() -> None:
    author, editor = uuid.uuid4(), uuid.uuid4()
    follow(editor, "submissions", None)
    follow(author, "submissions", None)  # an editor submitting their own article
    event = article_event("submitted", author, uuid.uuid4())

    deliver(event)

    assert notified(event) == {editor: "article_submitted"}


def test_a_reply_reaches_the_parent_author_the_article_author_and_followers_once() -> None:
    article, article_author, parent_author = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    commenter, follower = uuid.uuid4(), uuid.uuid4()
    follow(follower, "article", article)
    follow(parent_author, "article", article)  # also follows: still one notice, the reply
    follow(commenter, "article", article)  # never told of their own comment
    event = comment_event(
        "created",
        article_id=str(article),
        article_author_id=str(article_author),
        parent_comment_id=str(uuid.uuid4()),
        parent_comment_author_id=str(parent_author),
        comment_author_id=str(commenter),
    )

    deliver(event)

    assert notified(event) == {
        parent_author: "comment_reply",
        article_author: "comment_created",
        follower: "comment_created",
    }
    assert Delivery.objects.filter(event_id=event.id).count() == 6  # in_app and email each


def test_an_authors_comment_on_their_own_article_notifies_nobody_of_it() -> None:
    author = uuid.uuid4()
    event = comment_event("created", article_author_id=str(author), comment_author_id=str(author))

    deliver(event)

    assert notified(event) == {}


def test_a_comment_awaiting_moderation_notifies_nobody() -> None:
    article_author = uuid.uuid4()
    event = comment_event("created", article_author_id=str(article_author), status="pending")

    deliver(event)

    assert notified(event) == {}


def test_a_moderated_comment_reaches_its_author() -> None:
    author = uuid.uuid4()
    event = comment_event("moderated", comment_author_id=str(author), status="rejected")

    deliver(event)
    deliver(event)

    assert notified(event) == {author: "comment_moderated"}
    assert Delivery.objects.get(event_id=event.id, channel="email").context["status"] == "rejected"


def test_a_comment_approved_from_the_queue_reaches_its_readers_then() -> None:
    article, article_author, commenter = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    follower = uuid.uuid4()
    follow(follower, "article", article)
    pending = comment_event(
        "created",
        article_id=str(article),
        article_author_id=str(article_author),
        comment_author_id=str(commenter),
        status="pending",
    )
    approved = comment_event(
        "moderated",
        comment_id=pending.data["comment_id"],
        article_id=str(article),
        article_author_id=str(article_author),
        comment_author_id=str(commenter),
        status="approved",
    )

    deliver(pending)
    deliver(approved)

    assert notified(pending) == {}
    assert notified(approved) == {
        commenter: "comment_moderated",
        article_author: "comment_created",
        follower: "comment_created",
    }


def test_ten_thousand_followers_are_notified_in_pages_of_a_thousand() -> None:
    author = uuid.uuid4()
    followers = [uuid.uuid4() for _ in range(10_000)]
    Subscription.objects.bulk_create(
        Subscription(user_id=user_id, target_type="author", target_id=author)
        for user_id in followers
    )
    job: FollowersJob | None = FollowersJob(
        notice=Notice(
            event_id=uuid.uuid4(),
            notification_type=NotificationType.ARTICLE_PUBLISHED,
            actor_id=author,
            context={"title": "Compilers"},
            link="/articles/compilers",
        ),
        targets=[(TargetType.AUTHOR, author)],
    )
    per_page = []

    while job is not None:
        # Each page is its own job (a fan_out task in the worker), serialised as it travels.
        job = notify_followers_page(job=FollowersJob.from_json(job.to_json()))
        per_page.append(Delivery.objects.count())

    assert per_page == [2_000 * page for page in range(1, 11)] + [20_000]
    recipients = set(Delivery.objects.values_list("recipient_id", flat=True))
    assert recipients == set(followers)
