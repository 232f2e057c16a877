from django.db import models


class Effect(models.Model):
    """One row per handler run, deliberately without a unique key: doubles would show."""

    event_id = models.UUIDField()
    applied_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.event_id)
