"""Handlers of the events delivery consumes: accounts' users make the contact projection;
account, article and comment events become deliveries (see ``fanout``)."""

from uuid import UUID

from notifications.delivery.fanout import (
    FollowersJob,
    Notice,
    actor_name,
    notify_followers_page,
    notify_users,
)
from notifications.delivery.services import (
    contact_apply,
    contact_values,
    deliveries_create,
    user_personal_data_delete,
)
from notifications.delivery.tasks import fan_out_enqueue
from notifications.preferences.types import NotificationType
from notifications.subscriptions.models import TargetType
from platform_common.events import Envelope, subscribe

# Comments in these states are not (yet) visible: nobody hears of them before moderation.
# A comment is seen by others once approved: at creation (an editor's own) or when an
# editor approves it from the queue.
VISIBLE_COMMENT_STATUS = "approved"
# Where the web app lists the account's security activity (sessions, sign-ins, changes).
SECURITY_ACTIVITY_PATH = "/account/security"


@subscribe("accounts.user.registered")
def contact_from_registration(event: Envelope) -> None:
    contact_apply(envelope=event, values=contact_values(event.data))


@subscribe("accounts.user.updated")
@subscribe("accounts.user.updated", version=2)
def contact_from_update(event: Envelope) -> None:
    contact_apply(envelope=event, values=contact_values(event.data))


@subscribe("accounts.user.deleted")
def forget_deleted_user(event: Envelope) -> None:
    user_personal_data_delete(envelope=event)


def _account_mail(event: Envelope, *, kind: NotificationType, link_field: str) -> None:
    # The link carries a single-use secret: it goes into the mail and nowhere else (no
    # log line, no inbox notification); the delivery forgets it once final.
    deliveries_create(
        event_id=event.id,
        notification_type=kind,
        recipient_ids=[UUID(event.data["user_id"])],
        context={
            "display_name": event.data["display_name"],
            "link": event.data[link_field],
            "expires_at": event.data["expires_at"],
        },
        address=event.data["email"],
    )


@subscribe("accounts.user.verification_requested")
def mail_verification_link(event: Envelope) -> None:
    _account_mail(event, kind=NotificationType.ACCOUNT_VERIFICATION, link_field="verification_url")


@subscribe("accounts.user.password_reset_requested")
def mail_password_reset_link(event: Envelope) -> None:
    _account_mail(event, kind=NotificationType.ACCOUNT_PASSWORD_RESET, link_field="reset_url")


@subscribe("accounts.user.security_alert")
def notify_security_alert(event: Envelope) -> None:
    """Tell the owner by mail (to the address the account had then) and in the inbox,
    whatever their preferences, quiet hours or digest mode."""
    deliveries_create(
        event_id=event.id,
        notification_type=NotificationType.ACCOUNT_SECURITY_ALERT,
        recipient_ids=[UUID(event.data["user_id"])],
        context={
            "display_name": event.data["display_name"],
            "kind": event.data["kind"],
            "occurred_at": event.data["occurred_at"],
            "ip": event.data["ip"] or "",
            "device": event.data["device"],
        },
        address=event.data["email"],
        link=SECURITY_ACTIVITY_PATH,
    )


def _notify_followers(job: FollowersJob) -> None:
    """The first page now, in the event's transaction; the rest by fan_out tasks (queued
    before the commit: if that fails the event is retried, and pages never repeat rows)."""
    rest = notify_followers_page(job=job)
    if rest is not None:
        fan_out_enqueue(rest)


def _article_notice(event: Envelope, kind: NotificationType) -> Notice:
    author_id = UUID(event.data["author_id"])
    return Notice(
        event_id=event.id,
        notification_type=kind,
        actor_id=author_id,
        context={
            "title": event.data["title"],
            "actor_name": actor_name(author_id),
            "article_id": event.data["article_id"],
            "author_id": event.data["author_id"],
        },
        link=f"/articles/{event.data['slug']}",
    )


@subscribe("content.article.published")
def notify_article_published(event: Envelope) -> None:
    """The followers of its author and of its category (each once)."""
    notice = _article_notice(event, NotificationType.ARTICLE_PUBLISHED)
    targets: list[tuple[TargetType, UUID | None]] = [
        (TargetType.AUTHOR, UUID(event.data["author_id"]))
    ]
    if event.data["category_id"]:
        targets.append((TargetType.CATEGORY, UUID(event.data["category_id"])))
    _notify_followers(FollowersJob(notice=notice, targets=targets))


@subscribe("content.article.submitted")
def notify_article_submitted(event: Envelope) -> None:
    """The editors following the review queue."""
    notice = _article_notice(event, NotificationType.ARTICLE_SUBMITTED)
    _notify_followers(FollowersJob(notice=notice, targets=[(TargetType.SUBMISSIONS, None)]))


def _comment_notice(event: Envelope, kind: NotificationType) -> Notice:
    author_id = UUID(event.data["comment_author_id"])
    return Notice(
        event_id=event.id,
        notification_type=kind,
        actor_id=author_id,
        context={
            "actor_name": actor_name(author_id),
            "status": event.data["status"],
            "article_id": event.data["article_id"],
            "comment_id": event.data["comment_id"],
        },
        link=f"/articles/{event.data['article_id']}#comment-{event.data['comment_id']}",
    )


@subscribe("content.comment.created")
def notify_comment_created(event: Envelope) -> None:
    """An approved comment's readers (see ``_notify_comment_readers``); one awaiting
    moderation is told of when an editor approves it."""
    if event.data["status"] == VISIBLE_COMMENT_STATUS:
        _notify_comment_readers(event)


def _notify_comment_readers(event: Envelope) -> None:
    """The parent comment's author (a reply), the article's author, then the article's
    followers; each hears once, by the most specific notice (the first one written)."""
    parent_author = event.data["parent_comment_author_id"]
    if parent_author:
        notify_users(
            notice=_comment_notice(event, NotificationType.COMMENT_REPLY),
            recipient_ids=[UUID(parent_author)],
        )
    notice = _comment_notice(event, NotificationType.COMMENT_CREATED)
    notify_users(notice=notice, recipient_ids=[UUID(event.data["article_author_id"])])
    article = UUID(event.data["article_id"])
    _notify_followers(FollowersJob(notice=notice, targets=[(TargetType.ARTICLE, article)]))


@subscribe("content.comment.moderated")
def notify_comment_moderated(event: Envelope) -> None:
    """The comment's author (a moderator acted, not them); a comment approved from the
    queue now reaches its readers too."""
    notice = _comment_notice(event, NotificationType.COMMENT_MODERATED)
    notice = Notice(
        event_id=notice.event_id,
        notification_type=notice.notification_type,
        actor_id=None,
        context=notice.context,
        link=notice.link,
    )
    notify_users(notice=notice, recipient_ids=[UUID(event.data["comment_author_id"])])
    if (
        event.data["status"] == VISIBLE_COMMENT_STATUS
        and event.data["previous_status"] != VISIBLE_COMMENT_STATUS
    ):
        _notify_comment_readers(event)
