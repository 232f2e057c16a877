"""Problem codes and domain errors of subscriptions."""

from platform_common.api.errors import ApplicationError, ConflictError, PermissionDeniedError
from platform_common.problems import TitledCode


class SubscriptionCode(TitledCode):
    ALREADY_SUBSCRIBED = "already_subscribed", "Already subscribed"
    CANNOT_FOLLOW_SELF = "cannot_follow_self", "Cannot follow yourself"
    TARGET_ID_MISMATCH = "target_id_mismatch", "Target id does not fit the target type"
    EDITORS_ONLY = "editors_only", "Editors only"


class AlreadySubscribed(ConflictError):
    def __init__(self) -> None:
        super().__init__("You already follow this.", code=SubscriptionCode.ALREADY_SUBSCRIBED)


class CannotFollowSelf(ApplicationError):
    def __init__(self) -> None:
        super().__init__("You cannot follow yourself.", code=SubscriptionCode.CANNOT_FOLLOW_SELF)


class TargetIdMismatch(ApplicationError):
    def __init__(self) -> None:
        super().__init__(
            "author, category and article need a target_id; submissions takes none.",
            code=SubscriptionCode.TARGET_ID_MISMATCH,
        )


class EditorsOnly(PermissionDeniedError):
    def __init__(self) -> None:
        super().__init__(
            "Only editors can follow submitted articles.", code=SubscriptionCode.EDITORS_ONLY
        )
