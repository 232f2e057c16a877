"""Local copy of what content needs to know about accounts users (event-carried state)."""

from django.db import models

from platform_common.events.models import VersionedProjection
from platform_common.models import TimestampedModel


class Author(TimestampedModel, VersionedProjection):
    """A user as content sees it: no email, content has no use for it."""

    # The accounts user id, never generated here.
    id = models.UUIDField(primary_key=True, editable=False)
    display_name = models.CharField(max_length=150)

    def __str__(self) -> str:
        return self.display_name
