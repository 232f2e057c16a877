"""Who notifications reach and how: the recipients' contact details (a projection of
accounts' users)."""

from django.db import models

from platform_common.events.models import VersionedProjection

DEFAULT_LOCALE = "en"
DEFAULT_TIME_ZONE = "UTC"


class Contact(VersionedProjection):
    """How to reach a user, as accounts last told (registered, updated, deleted).

    A deleted user keeps an empty row (``deleted``) so that a late ``updated`` event,
    older than the deletion, is recognised as stale instead of bringing the data back.
    """

    user_id = models.UUIDField(primary_key=True)
    email = models.EmailField(max_length=254, blank=True)
    display_name = models.CharField(max_length=150, blank=True)
    locale = models.CharField(max_length=35, default=DEFAULT_LOCALE)
    time_zone = models.CharField(max_length=64, default=DEFAULT_TIME_ZONE)
    deleted = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"contact {self.user_id}"
