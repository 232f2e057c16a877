"""The comments' admin: the moderation queue with bulk decisions, and CSV export.

Decisions go through ``comment_moderate`` (counters, cache, the moderated event), in the
name of the staff member's accounts identity: a staff user's username is their accounts
user id (staff sign in with that identity)."""

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from content.comments.models import Comment, CommentStatus
from content.comments.services import comment_moderate
from platform_common.admin.accounts_login import staff_principal
from platform_common.admin.actions import csv_export_action

EXCERPT_LENGTH = 80


# ModelAdmin is generic only in the type stubs.
if TYPE_CHECKING:
    _CommentAdminBase = admin.ModelAdmin[Comment]
else:
    _CommentAdminBase = admin.ModelAdmin


@admin.register(Comment)
class CommentAdmin(_CommentAdminBase):
    list_display = ["excerpt", "status", "article", "author_id", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["body", "article__title", "=author_id"]
    list_select_related = ["article"]
    date_hierarchy = "created_at"
    # Shown, never edited here: decisions are the actions, bodies are their author's.
    fields = readonly_fields = (
        "article",
        "parent",
        "author_id",
        "body",
        "status",
        "created_at",
        "edited_at",
    )
    actions = [
        "approve",
        "reject",
        "mark_spam",
        csv_export_action(
            ("id", "article__title", "author_id", "status", "body", "created_at"),
            filename="comments.csv",
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        return super().get_queryset(request).defer("article__body")

    @admin.display(description="Comment")
    def excerpt(self, comment: Comment) -> str:
        return comment.body[:EXCERPT_LENGTH]

    @admin.action(description="Approve the selected comments")
    def approve(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self._decide(request, queryset, CommentStatus.APPROVED)

    @admin.action(description="Reject the selected comments")
    def reject(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self._decide(request, queryset, CommentStatus.REJECTED)

    @admin.action(description="Mark the selected comments as spam")
    def mark_spam(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self._decide(request, queryset, CommentStatus.SPAM)

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[Comment], status: CommentStatus
    ) -> None:
        moderator = staff_principal(request)
        if moderator is None:
            self.message_user(
                request, "Only staff signed in with an accounts identity moderate.", messages.ERROR
            )
            return
        ids = list(queryset.exclude(status=status).values_list("id", flat=True))
        for comment_id in ids:
            comment_moderate(comment_id=comment_id, moderator=moderator, status=status)
        self.message_user(request, f"{len(ids)} comment(s) now {status.label.lower()}.")
