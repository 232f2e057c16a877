"""The staff admin of the author projection: looked at, never edited (accounts owns it)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from unfold.admin import ModelAdmin

from content.authors.models import Author
from platform_common.admin.actions import csv_export_action


@admin.register(Author)
class AuthorAdmin(ModelAdmin):
    list_display = ("display_name", "id", "deleted_at", "aggregate_version", "updated_at")
    list_filter = ("deleted_at",)
    search_fields = ("display_name", "=id")
    ordering = ("display_name",)
    actions = (csv_export_action(("id", "display_name", "deleted_at"), filename="authors.csv"),)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
