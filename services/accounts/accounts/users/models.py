"""The platform's users: email login, roles carried into access tokens."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.postgres.fields import ArrayField
from django.core.files.storage import Storage, storages
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from platform_common.auth.permissions import Role
from platform_common.models import UUIDModel

EMAIL_UNIQUE_CONSTRAINT = "users_user_email_ci_unique"
DEFAULT_ROLE = Role.READER


DEFAULT_LOCALE = "en"
DEFAULT_TIME_ZONE = "UTC"
BIO_MAX_LENGTH = 500
# E.164: "+", a country code not starting with 0, at most 15 digits in all.
PHONE_NUMBER_PATTERN = r"^\+[1-9][0-9]{6,14}$"
PHONE_NUMBER_MAX_LENGTH = 16


def default_roles() -> list[str]:
    return [str(DEFAULT_ROLE)]


def avatar_storage() -> Storage:
    """The ``avatars`` storage of ``STORAGES`` (a callable: settings decide, not migrations)."""
    return storages["avatars"]


class User(UUIDModel, AbstractBaseUser):
    email = models.EmailField(max_length=254)
    display_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Set when the owner followed the link of a verification email.
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change that is published, so consumers can drop stale events.
    version = models.PositiveIntegerField(default=1)
    roles = ArrayField(
        models.CharField(max_length=50, choices=[(role.value, role.value) for role in Role]),
        default=default_roles,
    )
    # Profile: what other services show of the user (accounts.user.updated carries it).
    bio = models.TextField(max_length=BIO_MAX_LENGTH, blank=True, default="")
    locale = models.CharField(max_length=35, default=DEFAULT_LOCALE)  # a LANGUAGES code
    time_zone = models.CharField(max_length=64, default=DEFAULT_TIME_ZONE)  # an IANA name
    # Where SMS notifications go (E.164), or "" without one; never shown to other users.
    phone_number = models.CharField(
        max_length=PHONE_NUMBER_MAX_LENGTH,
        blank=True,
        default="",
        validators=[RegexValidator(PHONE_NUMBER_PATTERN)],
    )
    # A fresh random name per upload: a served avatar never changes, so caches keep it.
    avatar = models.FileField(storage=avatar_storage, max_length=100, blank=True, default="")
    # Set when the owner deleted the account: the row stays (ids referenced elsewhere keep
    # resolving), anonymised and inactive.
    deleted_at = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(Lower("email"), name=EMAIL_UNIQUE_CONSTRAINT),
        ]

    def __str__(self) -> str:
        return self.email

    # The staff admin's permission checks: staff who hold the admin role may do everything
    # there, other staff (editors) only look. No per-model permission rows to keep.
    def has_perm(self, perm: str, obj: object = None) -> bool:
        if not (self.is_active and self.is_staff):
            return False
        return Role.ADMIN in self.roles or perm.split(".", 1)[-1].startswith("view_")

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and self.is_staff


class AccountTokenPurpose(models.TextChoices):
    VERIFY_EMAIL = "verify_email", "Verify email"
    RESET_PASSWORD = "reset_password", "Reset password"


class AccountToken(UUIDModel):
    """A single-use, expiring token mailed to a user (email verification, password reset).

    Only the SHA-256 of the token is stored: the database alone yields no usable link."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_tokens")
    purpose = models.CharField(max_length=20, choices=AccountTokenPurpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            # Issuing a token retires the user's earlier unused ones of the same purpose.
            models.Index(
                fields=["user", "purpose"],
                name="users_token_unused",
                condition=models.Q(used_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} token {self.id}"
