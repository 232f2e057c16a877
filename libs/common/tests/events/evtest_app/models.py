from django.db import models

from platform_common.events.models import VersionedProjection


class AppliedEffect(models.Model):
    """One row per handler run: a double-applied event shows as two rows."""

    event_id = models.UUIDField()
    handler = models.CharField(max_length=100)

    def __str__(self) -> str:
        return f"{self.handler} {self.event_id}"


class UserCopy(VersionedProjection):
    user_id = models.UUIDField(unique=True)
    email = models.CharField(max_length=254)
    display_name = models.CharField(max_length=150)

    def __str__(self) -> str:
        return self.email
