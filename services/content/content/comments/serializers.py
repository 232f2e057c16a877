from django.utils.html import linebreaks
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from content.comments.models import BODY_MAX_LENGTH, Comment, CommentStatus
from platform_common.api.serializers import BaseModelSerializer, InputSerializer


class CommentInputSerializer(InputSerializer):
    body = serializers.CharField(max_length=BODY_MAX_LENGTH)


class CommentCreateInputSerializer(CommentInputSerializer):
    parent_id = serializers.UUIDField(required=False, allow_null=True)


# What an editor may decide (every status but pending); named in the schema by the settings.
MODERATION_DECISIONS = [
    (value, label) for value, label in CommentStatus.choices if value != CommentStatus.PENDING
]


class CommentModerationInputSerializer(InputSerializer):
    status = serializers.ChoiceField(choices=MODERATION_DECISIONS)


class CommentOutputSerializer(BaseModelSerializer):
    """A comment; ``body`` is the plain text as written, ``body_html`` the same text escaped
    (no markup of the writer's survives) with its paragraphs and line breaks."""

    article_id = serializers.UUIDField(read_only=True)
    parent_id = serializers.UUIDField(read_only=True, allow_null=True)
    author_display_name = serializers.CharField(read_only=True, allow_null=True)
    reply_count = serializers.IntegerField(read_only=True)
    body_html = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "article_id",
            "parent_id",
            "author_id",
            "author_display_name",
            "body",
            "body_html",
            "status",
            "reply_count",
            "created_at",
            "edited_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_body_html(self, comment: Comment) -> str:
        return linebreaks(comment.body, autoescape=True)
