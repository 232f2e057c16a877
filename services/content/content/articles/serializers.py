from rest_framework import serializers

from content.articles.models import TITLE_MAX_LENGTH, Article, ArticleStatus
from content.engagement.serializers import ArticleEngagementFieldsMixin
from platform_common.api.serializers import BaseModelSerializer, InputSerializer


class ArticleInputSerializer(InputSerializer):
    """Body of POST and PUT (PATCH uses it partially); a missing status keeps the current one."""

    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    # Bodies keep their surrounding whitespace (markdown indentation, trailing newlines).
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)
    status = serializers.ChoiceField(choices=ArticleStatus.choices, required=False)


class ArticleOutputSerializer(ArticleEngagementFieldsMixin, BaseModelSerializer):
    """An article as its reader sees it, body included, with its comment and reaction
    counts; ``?fields=`` narrows it."""

    # Annotated by the selectors from the author projection; None until it catches up.
    author_display_name = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "title",
            "body",
            "status",
            "author_id",
            "author_display_name",
            "published_at",
            "created_at",
            "updated_at",
            "comment_count",
            "reactions",
        ]
        read_only_fields = fields


class ArticleListOutputSerializer(ArticleOutputSerializer):
    """An article in a list: the start of its body (``summary``) instead of the body."""

    # Annotated by article_list: the first SUMMARY_LENGTH characters of the body.
    summary = serializers.CharField(read_only=True)

    class Meta(ArticleOutputSerializer.Meta):
        fields = [
            "summary" if name == "body" else name for name in ArticleOutputSerializer.Meta.fields
        ]
        read_only_fields = fields
