"""Fan-out: who an event notifies, page by page.

Direct recipients (an article's author, a parent comment's author) are few and get their
deliveries in the event's own transaction. Followers may be many: one page of them per
transaction (``FAN_OUT_PAGE_SIZE``); the event's handler writes the first page, a
``fan_out`` task each next one. The actor is never notified of their own action, and the
deliveries' uniqueness makes a replayed event or a repeated page add nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from notifications.delivery.models import Contact
from notifications.delivery.services import deliveries_create
from notifications.preferences.types import NotificationType
from notifications.subscriptions.models import TargetType
from notifications.subscriptions.selectors import subscriber_id_pages

FAN_OUT_PAGE_SIZE = 1000


@dataclass(frozen=True)
class Notice:
    """One event's notification: its type, render context and web app link."""

    event_id: UUID
    notification_type: NotificationType
    actor_id: UUID | None
    context: dict[str, Any]
    link: str


@dataclass(frozen=True)
class FollowersJob:
    """The followers of ``targets`` still to notify of ``notice``: those after ``after``."""

    notice: Notice
    targets: list[tuple[TargetType, UUID | None]]
    after: UUID | None = None

    def to_json(self) -> dict[str, Any]:
        notice = asdict(self.notice)
        return {
            "notice": {
                **notice,
                "event_id": str(self.notice.event_id),
                "actor_id": str(self.notice.actor_id) if self.notice.actor_id else None,
            },
            "targets": [[kind, str(target) if target else None] for kind, target in self.targets],
            "after": str(self.after) if self.after else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FollowersJob:
        notice = data["notice"]
        return cls(
            notice=Notice(
                event_id=UUID(notice["event_id"]),
                notification_type=NotificationType(notice["notification_type"]),
                actor_id=UUID(notice["actor_id"]) if notice["actor_id"] else None,
                context=notice["context"],
                link=notice["link"],
            ),
            targets=[
                (TargetType(kind), UUID(target) if target else None)
                for kind, target in data["targets"]
            ],
            after=UUID(data["after"]) if data["after"] else None,
        )


def actor_name(user_id: UUID | None) -> str:
    """The display name of whoever acted, as the contact projection knows it, else ""."""
    if user_id is None:
        return ""
    contact = Contact.objects.filter(user_id=user_id, deleted=False).only("display_name").first()
    return contact.display_name if contact else ""


def notify_users(*, notice: Notice, recipient_ids: Iterable[UUID | None]) -> None:
    """Notify a few named users (each once; never the actor, nobody twice)."""
    recipients = sorted({user for user in recipient_ids if user and user != notice.actor_id})
    if recipients:
        deliveries_create(
            event_id=notice.event_id,
            notification_type=notice.notification_type,
            recipient_ids=recipients,
            context=notice.context,
            link=notice.link,
        )


def notify_followers_page(
    job: FollowersJob, *, page_size: int = FAN_OUT_PAGE_SIZE
) -> FollowersJob | None:
    """Notify one page of followers (one transaction); returns the job of the rest, or None."""
    pages = subscriber_id_pages(targets=job.targets, page_size=page_size, after=job.after)
    page = next(pages, [])
    notify_users(notice=job.notice, recipient_ids=page)
    if len(page) < page_size:
        return None
    return FollowersJob(notice=job.notice, targets=job.targets, after=page[-1])
