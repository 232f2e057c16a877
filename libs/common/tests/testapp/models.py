from django.db import models

from platform_common.models import SoftDeleteModel, TimestampedModel


class Note(TimestampedModel, SoftDeleteModel):
    title = models.CharField(max_length=100)
    body = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.title
