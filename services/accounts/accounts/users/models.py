"""The platform's users: email login, roles carried into access tokens."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from platform_common.models import UUIDModel

EMAIL_UNIQUE_CONSTRAINT = "users_user_email_ci_unique"
DEFAULT_ROLE = "user"


def default_roles() -> list[str]:
    return [DEFAULT_ROLE]


class User(UUIDModel, AbstractBaseUser):
    email = models.EmailField(max_length=254)
    display_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Bumped on every change that is published, so consumers can drop stale events.
    version = models.PositiveIntegerField(default=1)
    roles = ArrayField(models.CharField(max_length=50), default=default_roles)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(Lower("email"), name=EMAIL_UNIQUE_CONSTRAINT),
        ]

    def __str__(self) -> str:
        return self.email
