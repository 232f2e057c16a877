"""The articles' admin: find, filter, publish in bulk, export."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.db.models.functions import Coalesce, Now
from django.http import HttpRequest

from content.articles.models import Article, ArticleStatus
from content.caching import public_cache_invalidate
from content.engagement.selectors import article_engagement
from platform_common.admin import export_as_csv

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
    readonly_fields = ["slug", "author_id", "published_at", "created_at", "updated_at"]
    actions = ["publish", export_as_csv]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        # The change list never shows bodies: a page of long articles stays small.
        return super().get_queryset(request).defer("body")

    @admin.display(description="Comments")
    def comments(self, article: Article) -> int:
        return article_engagement(article).comment_count

    @admin.action(description="Publish the selected articles")
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        # One UPDATE; the first publication date is kept for republished articles.
        count = queryset.exclude(status=ArticleStatus.PUBLISHED).update(
            status=ArticleStatus.PUBLISHED, published_at=Coalesce("published_at", Now())
        )
        public_cache_invalidate()
        self.message_user(request, f"{count} article(s) published.", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        public_cache_invalidate(article_id=obj.id)
