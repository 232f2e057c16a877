"""Abstract base models: UUID keys, timestamps and soft delete."""

from __future__ import annotations

import uuid
from typing import Any, Self, TypeVar

from django.db import models
from django.db.models.functions import Now


class UUIDModel(models.Model):
    """A random UUID primary key: safe to expose, unique across services."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class TimestampedModel(UUIDModel):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


_M = TypeVar("_M", bound=models.Model)


class SoftDeleteQuerySet(models.QuerySet[_M]):
    def delete(self) -> tuple[int, dict[str, int]]:
        """Soft: marks the rows deleted, keeping the ``QuerySet.delete`` return shape."""
        count = self.filter(deleted_at__isnull=True).update(deleted_at=Now())
        return count, {self.model._meta.label: count}

    def hard_delete(self) -> tuple[int, dict[str, int]]:
        return super().delete()

    def alive(self) -> Self:
        return self.filter(deleted_at__isnull=True)

    def deleted(self) -> Self:
        return self.filter(deleted_at__isnull=False)


_SoftDeleteQuerySetManager = models.Manager.from_queryset(SoftDeleteQuerySet)


class AllObjectsManager(_SoftDeleteQuerySetManager[_M]):
    """Sees deleted rows too (admin tools, restores, projections)."""

    def get_queryset(self) -> SoftDeleteQuerySet[_M]:
        return SoftDeleteQuerySet(self.model, using=self._db)


class SoftDeleteManager(AllObjectsManager[_M]):
    """The default manager: deleted rows are invisible."""

    def get_queryset(self) -> SoftDeleteQuerySet[_M]:
        return super().get_queryset().alive()


class SoftDeleteModel(models.Model):
    """``delete()`` only sets ``deleted_at``; combine with ``TimestampedModel`` as needed.

    A soft delete does not cascade: related rows stay, as the row still exists.
    """

    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = SoftDeleteManager()
    all_objects = AllObjectsManager()

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        count, per_model = type(self).all_objects.using(using).filter(pk=self.pk).delete()
        self.refresh_from_db(using=using, fields=["deleted_at"])
        return count, per_model

    def hard_delete(self) -> tuple[int, dict[str, int]]:
        return super().delete()

    def restore(self) -> None:
        type(self).all_objects.filter(pk=self.pk).update(deleted_at=None)
        self.deleted_at = None
