"""The list's filters and orderings (django-filter), applied by ``article_list``."""

from typing import Any
from uuid import UUID

import django_filters
from django.db.models import Exists, OuterRef, QuerySet

from content.articles.models import Article, ArticleStatus
from content.taxonomy.models import Tag
from content.taxonomy.selectors import category_subtree_ids

ORDERING_FIELDS = ("published_at", "created_at", "title", "view_count")


# django-filter ships no types.
class ArticleFilter(django_filters.FilterSet):  # type: ignore[misc]
    # Within what the caller may read: for readers published articles and their own.
    status = django_filters.ChoiceFilter(choices=ArticleStatus.choices)
    author = django_filters.UUIDFilter(field_name="author_id")
    category = django_filters.UUIDFilter(method="filter_category")
    tag = django_filters.CharFilter(method="filter_tag")
    published_after = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = django_filters.IsoDateTimeFilter(
        field_name="published_at", lookup_expr="lte"
    )
    ordering = django_filters.OrderingFilter(fields=ORDERING_FIELDS)

    class Meta:
        model = Article
        fields: list[str] = []

    def filter_category(self, queryset: QuerySet[Article], name: str, value: UUID) -> Any:
        """The category and every category below it."""
        return queryset.filter(category_id__in=category_subtree_ids(category_id=value))

    def filter_tag(self, queryset: QuerySet[Article], name: str, value: str) -> Any:
        # EXISTS, not a join: an article is listed once whatever its tags.
        tagged = Tag.objects.filter(articles=OuterRef("pk"), slug__iexact=value)
        return queryset.filter(Exists(tagged))
