"""Staff read the whole audit log in the admin; nobody edits it there."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest

from accounts.audit.models import AuditEntry

# Generic only for the type checker (the stubs' runtime patch is not installed).
if TYPE_CHECKING:
    AuditEntryModelAdmin = admin.ModelAdmin[AuditEntry]
else:
    AuditEntryModelAdmin = admin.ModelAdmin


class AuditEntryAdmin(AuditEntryModelAdmin):
    list_display = ("occurred_at", "event", "user", "actor", "ip_address", "user_agent")
    list_filter = ("event", ("occurred_at", admin.DateFieldListFilter))
    search_fields = ("user__email", "actor__email", "ip_address", "user_agent")
    list_select_related = ("user", "actor")
    date_hierarchy = "occurred_at"
    ordering = ("-occurred_at",)
    # The log is evidence: every field shown, none editable.
    readonly_fields = (
        "occurred_at",
        "event",
        "user",
        "actor",
        "ip_address",
        "user_agent",
        "details",
    )
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# The admin autodiscovers this module once it is installed; until then (and in tests that
# import the class) there is no site to register with.
if apps.is_installed("django.contrib.admin"):
    admin.site.register(AuditEntry, AuditEntryAdmin)
