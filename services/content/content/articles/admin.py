"""The articles' admin: find, filter, publish and archive in bulk (through the workflow,
in the name of the staff member's accounts identity), export."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from content.articles.models import Article, ArticleStatus
from content.articles.workflow import article_archive, article_publish
from content.caching import public_cache_invalidate
from content.engagement.selectors import article_engagement
from platform_common.admin.accounts_login import staff_principal
from platform_common.admin.actions import csv_export_action

# ModelAdmin is generic only in the type stubs.
if TYPE_CHECKING:
    _ArticleAdminBase = admin.ModelAdmin[Article]
else:
    _ArticleAdminBase = admin.ModelAdmin


@admin.register(Article)
class ArticleAdmin(_ArticleAdminBase):
    list_display = ["title", "status", "author_id", "published_at", "created_at", "comments"]
    list_filter = ["status", "published_at", "created_at"]
    search_fields = ["title", "slug", "=author_id"]
    list_select_related = ["engagement"]
    date_hierarchy = "created_at"
    readonly_fields = ["slug", "author_id", "status", "published_at", "created_at", "updated_at"]
    actions = [
        "publish",
        "archive",
        csv_export_action(
            ("id", "title", "status", "author_id", "published_at", "created_at"),
            filename="articles.csv",
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        # The change list never shows bodies: a page of long articles stays small.
        return super().get_queryset(request).defer("body")

    @admin.display(description="Comments")
    def comments(self, article: Article) -> int:
        return article_engagement(article).comment_count

    @admin.action(description="Publish the selected articles in review")
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._transition(request, queryset, ArticleStatus.IN_REVIEW, article_publish, "published")

    @admin.action(description="Archive the selected published articles")
    def archive(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._transition(request, queryset, ArticleStatus.PUBLISHED, article_archive, "archived")

    def _transition(
        self,
        request: HttpRequest,
        queryset: QuerySet[Article],
        status: ArticleStatus,
        transition: Callable[..., Article],
        done: str,
    ) -> None:
        """Through the workflow, as the API does: its event, revision and cache follow."""
        editor = staff_principal(request)
        if editor is None:
            self.message_user(
                request, "Only staff signed in with an accounts identity act.", messages.ERROR
            )
            return
        ids = list(queryset.filter(status=status).values_list("id", flat=True))
        for article_id in ids:
            transition(article_id=article_id, actor=editor)
        skipped = queryset.count() - len(ids)
        note = f" ({skipped} skipped: not {status.label.lower()})" if skipped else ""
        self.message_user(request, f"{len(ids)} article(s) {done}{note}.", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        public_cache_invalidate(article_id=obj.id)
