from rest_framework import serializers

from content.taxonomy.models import (
    CATEGORY_NAME_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    TAG_NAME_MAX_LENGTH,
    Category,
    Tag,
)
from platform_common.api.serializers import BaseModelSerializer, InputSerializer

# Positions are small ordering numbers; the bound keeps them inside the column's range.
MAX_POSITION = 1_000_000


class CategoryInputSerializer(InputSerializer):
    """POST (PATCH partially); the slug defaults to the name's, ``parent_id`` null is a root."""

    name = serializers.CharField(max_length=CATEGORY_NAME_MAX_LENGTH)
    slug = serializers.SlugField(max_length=SLUG_MAX_LENGTH, required=False)
    parent_id = serializers.UUIDField(required=False, allow_null=True)
    position = serializers.IntegerField(min_value=0, max_value=MAX_POSITION, required=False)


class CategoryOutputSerializer(BaseModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug", "parent_id", "position", "created_at", "updated_at"]
        read_only_fields = fields


class TagInputSerializer(InputSerializer):
    """POST (PATCH partially); the slug defaults to the name's and is unique in any case."""

    name = serializers.CharField(max_length=TAG_NAME_MAX_LENGTH)
    slug = serializers.SlugField(max_length=SLUG_MAX_LENGTH, required=False)


class TagOutputSerializer(BaseModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "slug", "created_at", "updated_at"]
        read_only_fields = fields
