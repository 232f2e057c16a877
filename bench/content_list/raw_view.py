"""The peer: the same page as the DRF list (the same JSON document), written by hand with
plain Django: one query, rows as dicts, a ``JsonResponse``.

The same rows (published, live, newest first, 50) and fields: the teaser as ``summary``,
the author's name (a subquery: the projection may lag), the category and the counters
joined, the tags as one JSON array per row, the cover's URL from the covers storage. The
page holds every row of the benchmark, so there is no next or previous page."""

from datetime import datetime
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, JSONObject, Left, NullIf
from django.http import HttpRequest, JsonResponse

from content.articles.models import SUMMARY_LENGTH, Article, ArticleStatus, cover_storage
from content.authors.models import Author
from content.taxonomy.models import Tag

PAGE = 50
KINDS = ("like", "love", "insightful")
COLUMNS = (
    "id",
    "slug",
    "title",
    "status",
    "author_id",
    "meta_title",
    "meta_description",
    "canonical_url",
    "og_image_url",
    "cover",
    "language",
    "reading_time_minutes",
    "view_count",
    "published_at",
    "created_at",
    "updated_at",
    "category__id",
    "category__slug",
    "category__name",
    "engagement__comment_count",
    *(f"engagement__{kind}_count" for kind in KINDS),
)


def _iso(moment: datetime | None) -> str | None:
    # As DRF writes datetimes: ISO 8601 with microseconds, UTC as "Z".
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def raw_article_list(request: HttpRequest) -> JsonResponse:
    author_name = Author.objects.filter(id=OuterRef("author_id")).values("display_name")[:1]
    tags = (
        Tag.objects.filter(articles=OuterRef("pk"))
        .order_by("name")
        .values(summary=JSONObject(id="id", slug="slug", name="name"))
    )
    rows = (
        Article.objects.filter(status=ArticleStatus.PUBLISHED)
        .order_by("-created_at")
        .annotate(
            author_name=Subquery(author_name),
            tag_list=ArraySubquery(tags),
            teaser=Coalesce(NullIf("summary", Value("")), Left("body", SUMMARY_LENGTH)),
        )
        .values(*COLUMNS, "author_name", "tag_list", "teaser")[:PAGE]
    )
    covers = cover_storage()
    results: list[dict[str, Any]] = []
    for row in rows:
        cover_url = covers.url(row["cover"]) if row["cover"] else None
        results.append(
            {
                "id": str(row["id"]),
                "slug": row["slug"],
                "title": row["title"],
                "summary": row["teaser"],
                "status": row["status"],
                "author_id": str(row["author_id"]),
                "author_display_name": row["author_name"],
                "category": None
                if row["category__id"] is None
                else {
                    "id": str(row["category__id"]),
                    "slug": row["category__slug"],
                    "name": row["category__name"],
                },
                "tags": row["tag_list"],
                "meta_title": row["meta_title"],
                "meta_description": row["meta_description"],
                "canonical_url": row["canonical_url"],
                "og_image_url": row["og_image_url"] or cover_url or "",
                "cover_image_url": cover_url,
                "language": row["language"],
                "reading_time_minutes": row["reading_time_minutes"],
                "view_count": row["view_count"],
                "published_at": _iso(row["published_at"]),
                "created_at": _iso(row["created_at"]),
                "updated_at": _iso(row["updated_at"]),
                "comment_count": row["engagement__comment_count"] or 0,
                "reactions": {kind: row[f"engagement__{kind}_count"] or 0 for kind in KINDS},
            }
        )
    return JsonResponse({"next": None, "previous": None, "results": results})
