"""Local copy of what content needs to know about accounts users (event-carried state)."""

from django.db import models

from platform_common.events.models import VersionedProjection
from platform_common.models import TimestampedModel

DELETED_DISPLAY_NAME = "Deleted user"


class Author(TimestampedModel, VersionedProjection):
    """A user as content sees it: no email, content has no use for it.

    Kept current by accounts.user.registered and accounts.user.updated; when the account is
    deleted (accounts.user.deleted) the row stays, since articles point at it, but shows
    nothing of the person any more: "Deleted user", no avatar."""

    # The accounts user id, never generated here.
    id = models.UUIDField(primary_key=True, editable=False)
    display_name = models.CharField(max_length=150)
    # "" without one (a string field keeps one empty value, not two).
    avatar_url = models.URLField(max_length=2048, blank=True, default="")
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.display_name
