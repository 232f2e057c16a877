from django.db import models


class Handled(models.Model):
    event_id = models.UUIDField(unique=True)
    occurred_at = models.DateTimeField()
    handled_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.event_id)
