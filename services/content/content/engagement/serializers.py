from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from content.articles.models import Article
from content.engagement.models import Bookmark, ReactionKind
from content.engagement.selectors import article_engagement
from platform_common.api.serializers import BaseModelSerializer

REACTION_COUNTS_SCHEMA = {
    "type": "object",
    "properties": {kind: {"type": "integer", "minimum": 0} for kind in ReactionKind.values},
    "required": list(ReactionKind.values),
    "additionalProperties": False,
}


class ArticleEngagementFieldsMixin(serializers.Serializer[Any]):
    """An article's counts, read from its counters (``article_with_engagement`` joins them)."""

    comment_count = serializers.SerializerMethodField()
    reactions = serializers.SerializerMethodField()

    def get_comment_count(self, article: Article) -> int:
        return article_engagement(article).comment_count

    @extend_schema_field(REACTION_COUNTS_SCHEMA)
    def get_reactions(self, article: Article) -> dict[str, int]:
        return article_engagement(article).reaction_counts()


class BookmarkedArticleSerializer(serializers.ModelSerializer[Article]):
    class Meta:
        model = Article
        fields = ["id", "slug", "title", "published_at"]
        read_only_fields = fields


class BookmarkOutputSerializer(BaseModelSerializer):
    article = BookmarkedArticleSerializer(read_only=True)

    class Meta:
        model = Bookmark
        fields = ["article", "created_at"]
        read_only_fields = fields
