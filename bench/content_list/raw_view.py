"""The peer: the same page of articles as the DRF list, written by hand with plain Django.

The same rows (published, live, newest first, 50), the same fields, the same single
query shape (author name as a subquery, counters joined); no serializer, no DRF."""

from typing import Any

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Left
from django.http import HttpRequest, JsonResponse

from content.articles.models import SUMMARY_LENGTH, Article, ArticleStatus
from content.authors.models import Author

PAGE = 50
KINDS = ("like", "love", "insightful")


def raw_article_list(request: HttpRequest) -> JsonResponse:
    author_name = Author.objects.filter(id=OuterRef("author_id")).values("display_name")[:1]
    rows = (
        Article.objects.filter(status=ArticleStatus.PUBLISHED)
        .order_by("-created_at")
        .annotate(author_display_name=Subquery(author_name), summary=Left("body", SUMMARY_LENGTH))
        .values(
            "id",
            "slug",
            "title",
            "summary",
            "status",
            "author_id",
            "author_display_name",
            "published_at",
            "created_at",
            "updated_at",
            "engagement__comment_count",
            *(f"engagement__{kind}_count" for kind in KINDS),
        )[:PAGE]
    )
    results: list[dict[str, Any]] = []
    for row in rows:
        item = {key: value for key, value in row.items() if not key.startswith("engagement__")}
        item["comment_count"] = row["engagement__comment_count"] or 0
        item["reactions"] = {kind: row[f"engagement__{kind}_count"] or 0 for kind in KINDS}
        results.append(item)
    return JsonResponse({"next": None, "previous": None, "results": results})
