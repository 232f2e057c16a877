"""The staff admin of teams and memberships."""

from __future__ import annotations

from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from accounts.teams.models import Membership, Team
from platform_common.admin.actions import csv_export_action


class MembershipInline(TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "joined_at")
    readonly_fields = ("joined_at",)
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(ModelAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)
    list_filter = ("created_at",)
    ordering = ("name",)
    inlines = (MembershipInline,)
    actions = (csv_export_action(("id", "name", "created_at"), filename="teams.csv"),)


@admin.register(Membership)
class MembershipAdmin(ModelAdmin):
    list_display = ("team", "user", "role", "joined_at")
    list_filter = ("role", "team")
    search_fields = ("team__name", "user__email", "user__display_name")
    list_select_related = ("team", "user")
    raw_id_fields = ("user",)
    ordering = ("team__name", "joined_at")
    actions = (
        csv_export_action(
            ("team__name", "user__email", "role", "joined_at"), filename="memberships.csv"
        ),
    )
