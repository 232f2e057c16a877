import html
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from content.articles.models import (
    META_DESCRIPTION_MAX_LENGTH,
    META_TITLE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    URL_MAX_LENGTH,
    Article,
    ArticleLanguage,
    ArticleRevision,
)
from content.articles.rendering import plain_text
from content.articles.selectors import HEADLINE_START, HEADLINE_STOP
from content.engagement.serializers import ArticleEngagementFieldsMixin
from content.taxonomy.models import Category
from platform_common.api.serializers import BaseModelSerializer, InputSerializer

MAX_TAGS = 20


# An absolute http(s) address or nothing: ``javascript:``, ``data:`` and relative URLs are
# refused. A pattern rather than a URL format, so the schema says exactly what is accepted;
# printable ASCII only (non-ASCII is percent-encoded), read alike by every regex dialect.
WEB_URL_PATTERN = r"^(https?://[!-~]+)?$"


def web_url_field(**kwargs: Any) -> serializers.RegexField:
    return serializers.RegexField(
        WEB_URL_PATTERN, max_length=URL_MAX_LENGTH, required=False, allow_blank=True, **kwargs
    )


class ArticleInputSerializer(InputSerializer):
    """Body of POST and PUT (PATCH uses it partially). New articles are drafts; the status
    changes through the workflow endpoints.

    Title, summary and SEO texts are plain text: markup in them is removed."""

    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    # Markdown; bodies keep their surrounding whitespace (indentation, trailing newlines).
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)
    summary = serializers.CharField(max_length=SUMMARY_MAX_LENGTH, required=False, allow_blank=True)
    category_id = serializers.UUIDField(required=False, allow_null=True)
    tag_ids = serializers.ListField(
        child=serializers.UUIDField(), max_length=MAX_TAGS, required=False
    )
    meta_title = serializers.CharField(
        max_length=META_TITLE_MAX_LENGTH, required=False, allow_blank=True
    )
    meta_description = serializers.CharField(
        max_length=META_DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True
    )
    language = serializers.ChoiceField(
        choices=ArticleLanguage.choices,
        required=False,
        help_text="How search stems its words (default english).",
    )
    canonical_url = web_url_field()
    og_image_url = web_url_field(
        help_text="Open Graph image (an address; empty: the cover image, if any)."
    )

    def validate_title(self, value: str) -> str:
        text = plain_text(value)
        if not text:
            raise serializers.ValidationError("A title needs text, not only markup.", code="blank")
        return text


class CategorySummarySerializer(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ["id", "slug", "name"]
        read_only_fields = fields


class TagSummarySerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.UUIDField(read_only=True)
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


@extend_schema_field(CategorySummarySerializer(allow_null=True))
class CategorySummaryField(serializers.Field[Category, Any, dict[str, str], Any]):
    """The selectors' joined category as its summary, built directly: a nested
    ModelSerializer per row costs several times more. None is written by the serializer."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Category) -> dict[str, str]:
        return {"id": str(value.id), "slug": value.slug, "name": value.name}


@extend_schema_field(TagSummarySerializer(many=True))
class TagSummariesField(serializers.ReadOnlyField):
    """The selectors' JSON array of tag summaries, passed through as it is: a nested
    serializer would only copy the same three strings, at a cost per tag per row."""


class ArticleOutputSerializer(ArticleEngagementFieldsMixin, BaseModelSerializer):
    """An article as its reader sees it: Markdown ``body`` and its sanitised ``body_html``,
    with its comment and reaction counts; ``?fields=`` narrows it. ``view_count`` is as of
    the last periodic flush."""

    # Annotated by the selectors from the author projection; None until it catches up.
    author_display_name = serializers.CharField(read_only=True, allow_null=True)
    category = CategorySummaryField()
    # Annotated by the selectors (one JSON array per article, in the article's query).
    tags = TagSummariesField(source="tag_summaries")
    # Plain strings: empty when unset, which a URI format would not allow.
    canonical_url = serializers.CharField(read_only=True)
    og_image_url = serializers.CharField(
        read_only=True, source="og_image", help_text="The one set, else the cover image's URL."
    )
    cover_image_url = serializers.CharField(
        read_only=True, allow_null=True, help_text="Set by an upload to .../cover/."
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "title",
            "summary",
            "body",
            "body_html",
            "status",
            "author_id",
            "author_display_name",
            "category",
            "tags",
            "meta_title",
            "meta_description",
            "canonical_url",
            "og_image_url",
            "cover_image_url",
            "language",
            "reading_time_minutes",
            "view_count",
            "published_at",
            "created_at",
            "updated_at",
            "comment_count",
            "reactions",
        ]
        read_only_fields = fields


# In a list: the teaser stands for summary, body and body_html.
_LIST_OMITTED = frozenset({"summary", "body", "body_html"})


class ArticleListOutputSerializer(ArticleOutputSerializer):
    """An article in a list: ``summary`` is its summary, or the start of its body when it
    has none; never the body."""

    # Annotated by article_list.
    summary = serializers.CharField(read_only=True, source="teaser")

    class Meta(ArticleOutputSerializer.Meta):
        fields = [
            name
            for name in ArticleOutputSerializer.Meta.fields
            if name not in _LIST_OMITTED or name == "summary"
        ]
        read_only_fields = fields


class CoverInputSerializer(InputSerializer):
    """A JPEG, PNG or WebP image of at most 768 KiB and 4096 x 4096 pixels."""

    cover = serializers.FileField()


class RejectInputSerializer(InputSerializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class PublishInputSerializer(InputSerializer):
    """Absent or past ``publish_at``: publish now; a future one: beat publishes it then."""

    publish_at = serializers.DateTimeField(required=False)


class RevisionOutputSerializer(BaseModelSerializer):
    class Meta:
        model = ArticleRevision
        fields = ["number", "title", "summary", "body", "editor_id", "created_at"]
        read_only_fields = fields


class RevisionDiffFilterSerializer(serializers.Serializer[dict[str, Any]]):
    # "from" is a keyword: the fields are renamed below.
    from_ = serializers.IntegerField(min_value=1)
    to = serializers.IntegerField(min_value=1)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


class RevisionDiffOutputSerializer(serializers.Serializer[dict[str, Any]]):
    diff = serializers.CharField(help_text="Unified diff (empty when the two are the same).")


class ArticleSearchOutputSerializer(ArticleListOutputSerializer):
    """A search hit: a list item with its ``rank`` and ``headline`` (HTML: the best passage
    of the body, escaped, with the matched words in ``<mark>``)."""

    rank = serializers.FloatField(read_only=True)
    headline = serializers.SerializerMethodField()

    class Meta(ArticleListOutputSerializer.Meta):
        fields = [*ArticleListOutputSerializer.Meta.fields, "rank", "headline"]
        read_only_fields = fields

    def get_headline(self, article: Article) -> str:
        # Escaped first: the passage is the author's raw text; only our marks are markup.
        escaped = html.escape(article.headline)  # type: ignore[attr-defined]
        return escaped.replace(html.escape(HEADLINE_START), "<mark>").replace(
            html.escape(HEADLINE_STOP), "</mark>"
        )


class AutocompleteArticleSerializer(serializers.ModelSerializer[Article]):
    class Meta:
        model = Article
        fields = ["id", "slug", "title"]
        read_only_fields = fields


class AutocompleteOutputSerializer(serializers.Serializer[dict[str, Any]]):
    articles = AutocompleteArticleSerializer(many=True)
    tags = TagSummarySerializer(many=True)
