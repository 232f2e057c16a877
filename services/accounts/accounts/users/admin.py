"""The staff admin of users: search, filters, bulk actions through the services, CSV."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from unfold.admin import ModelAdmin

from accounts.clients import client_info
from accounts.users.lifecycle import user_deactivate, user_email_mark_verified
from accounts.users.models import User
from accounts.users.services import user_role_grant
from platform_common.admin.actions import csv_export_action
from platform_common.auth.permissions import Role

CSV_FIELDS = (
    "id",
    "email",
    "display_name",
    "roles",
    "is_active",
    "is_staff",
    "email_verified_at",
    "date_joined",
    "deleted_at",
)


class RoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(role.value, role.value) for role in Role]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(roles__contains=[value]) if value else queryset


class VerifiedFilter(admin.SimpleListFilter):
    title = "email verified"
    parameter_name = "verified"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in {"yes", "no"}:
            return queryset.filter(email_verified_at__isnull=self.value() == "no")
        return queryset


def _grant_action(role: Role) -> Callable[[Any, HttpRequest, QuerySet[User]], None]:
    def grant(modeladmin: Any, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user_id in queryset.values_list("id", flat=True):
            user_role_grant(
                user_id=user_id, role=role, actor_id=request.user.pk, client=client_info(request)
            )
        modeladmin.message_user(request, f"Granted {role} to {queryset.count()} user(s).")

    grant.__name__ = f"grant_{role}"
    grant.short_description = f"Grant the {role} role"  # type: ignore[attr-defined]
    grant.allowed_permissions = ("change",)  # type: ignore[attr-defined]
    return grant


@admin.register(User)
class UserAdmin(ModelAdmin):
    list_display = (
        "email",
        "display_name",
        "roles",
        "is_active",
        "is_staff",
        "email_verified_at",
        "date_joined",
    )
    list_filter = (RoleFilter, VerifiedFilter, "is_active", "is_staff", "date_joined")
    search_fields = ("email", "display_name", "=id")
    ordering = ("-date_joined",)
    # Nothing to join for the list: the user row holds all it shows.
    list_select_related = False
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = (
        "id",
        "password",
        "roles",
        "date_joined",
        "last_login",
        "email_verified_at",
        "deleted_at",
        "version",
    )
    fields = (
        "id",
        "email",
        "display_name",
        "bio",
        "locale",
        "time_zone",
        "avatar",
        "roles",
        "is_active",
        "is_staff",
        "email_verified_at",
        "date_joined",
        "last_login",
        "deleted_at",
        "version",
        "password",
    )
    actions = (
        "deactivate",
        "verify_email",
        *(_grant_action(role) for role in (Role.AUTHOR, Role.EDITOR, Role.ADMIN)),
        csv_export_action(CSV_FIELDS, filename="users.csv"),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # accounts are created by sign-up, never by hand

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deletion is the owner's (anonymising), deactivation is staff's

    @admin.action(description="Deactivate (end their sessions)", permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user_id in queryset.values_list("id", flat=True):
            user_deactivate(user_id=user_id, actor_id=request.user.pk, client=client_info(request))
        self.message_user(request, "Deactivated.", messages.SUCCESS)

    @admin.action(description="Mark the email verified", permissions=["change"])
    def verify_email(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user_id in queryset.values_list("id", flat=True):
            user_email_mark_verified(user_id=user_id)
        self.message_user(request, "Marked verified.", messages.SUCCESS)
