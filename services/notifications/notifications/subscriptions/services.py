"""Business actions of subscriptions; each owns its transaction."""

from uuid import UUID

from django.db import IntegrityError, transaction

from notifications.subscriptions.errors import (
    AlreadySubscribed,
    CannotFollowSelf,
    EditorsOnly,
    TargetIdMismatch,
)
from notifications.subscriptions.models import TARGETS_WITH_ID, Subscription, TargetType
from platform_common.api.errors import NotFoundError
from platform_common.auth.jwt import Principal
from platform_common.auth.permissions import Role
from platform_common.problems import ProblemCode

REVIEWERS = frozenset({Role.EDITOR, Role.ADMIN})


def subscription_create(
    *, principal: Principal, target_type: TargetType, target_id: UUID | None
) -> Subscription:
    """Follow a target; following it twice is a conflict, following yourself an error."""
    if (target_type in TARGETS_WITH_ID) != (target_id is not None):
        raise TargetIdMismatch()
    if target_type == TargetType.AUTHOR and target_id == principal.id:
        raise CannotFollowSelf()
    if target_type == TargetType.SUBMISSIONS and not principal.roles & REVIEWERS:
        raise EditorsOnly()
    return _subscribe(principal=principal, target_type=target_type, target_id=target_id)


def submissions_subscribe(*, principal: Principal) -> Subscription:
    """An editor (or admin) follows the review queue: every article submitted for review."""
    return subscription_create(
        principal=principal, target_type=TargetType.SUBMISSIONS, target_id=None
    )


def _subscribe(
    *, principal: Principal, target_type: TargetType, target_id: UUID | None
) -> Subscription:
    try:
        with transaction.atomic():
            return Subscription.objects.create(
                user_id=principal.id, target_type=target_type, target_id=target_id
            )
    except IntegrityError as error:
        raise AlreadySubscribed() from error


@transaction.atomic
def subscription_delete(*, user_id: UUID, subscription_id: UUID) -> None:
    """Stop following; another user's subscription is reported as missing."""
    deleted, _ = Subscription.objects.filter(user_id=user_id, pk=subscription_id).delete()
    if not deleted:
        raise NotFoundError("Subscription not found.", code=ProblemCode.NOT_FOUND)


@transaction.atomic
def subscription_delete_all(*, user_id: UUID) -> None:
    """Forget a deleted user's subscriptions, and everybody's follows of them as an author."""
    Subscription.objects.filter(user_id=user_id).delete()
    Subscription.objects.filter(target_type=TargetType.AUTHOR, target_id=user_id).delete()
