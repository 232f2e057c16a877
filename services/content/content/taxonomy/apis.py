"""Categories and tags: public reads, editor and admin writes."""

from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content.taxonomy.permissions import EDITOR_WRITES
from content.taxonomy.selectors import category_get, category_list, tag_get, tag_list
from content.taxonomy.serializers import (
    CategoryInputSerializer,
    CategoryOutputSerializer,
    TagInputSerializer,
    TagOutputSerializer,
)
from content.taxonomy.services import (
    category_create,
    category_delete,
    category_update,
    tag_create,
    tag_delete,
    tag_update,
)
from platform_common.api.pagination import PageNumberPagination, paginated_response
from platform_common.api.schema import problem_responses
from platform_common.api.serializers import InputSerializer


def _valid(
    serializer_class: type[InputSerializer], request: Request, *, partial: bool = False
) -> Any:
    """The request body as ``serializer_class`` validates it (400 otherwise)."""
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class CategoryCollectionApi(APIView):
    permission_classes = EDITOR_WRITES

    @extend_schema(
        summary="Every category, flat (build the tree by parent_id), siblings by position",
        responses=CategoryOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        data = CategoryOutputSerializer(
            category_list(), many=True, context={"request": request}
        ).data
        return Response(data)

    @extend_schema(
        summary="Create a category (editors and admins)",
        request=CategoryInputSerializer,
        responses={201: CategoryOutputSerializer, **problem_responses(404, 409)},
    )
    def post(self, request: Request) -> Response:
        category = category_create(**_valid(CategoryInputSerializer, request))
        return Response(CategoryOutputSerializer(category).data, status=status.HTTP_201_CREATED)


class CategoryDetailApi(APIView):
    permission_classes = EDITOR_WRITES

    @extend_schema(summary="Read a category", responses=CategoryOutputSerializer)
    def get(self, request: Request, category_id: UUID) -> Response:
        category = category_get(category_id=category_id)
        return Response(CategoryOutputSerializer(category, context={"request": request}).data)

    @extend_schema(
        summary="Rename, reorder or move a category (editors and admins)",
        request=CategoryInputSerializer(partial=True),
        responses={200: CategoryOutputSerializer, **problem_responses(409)},
    )
    def patch(self, request: Request, category_id: UUID) -> Response:
        changes = _valid(CategoryInputSerializer, request, partial=True)
        category = category_update(category_id=category_id, **changes)
        return Response(CategoryOutputSerializer(category).data)

    @extend_schema(
        summary="Delete a category without children (editors and admins)",
        responses={204: None, **problem_responses(409)},
    )
    def delete(self, request: Request, category_id: UUID) -> Response:
        category_delete(category_id=category_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TagCollectionApi(APIView):
    permission_classes = EDITOR_WRITES
    pagination_class = PageNumberPagination

    @extend_schema(summary="Tags by name", responses=TagOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated_response(
            view=self, request=request, queryset=tag_list(), serializer_class=TagOutputSerializer
        )

    @extend_schema(
        summary="Create a tag (editors and admins)",
        request=TagInputSerializer,
        responses={201: TagOutputSerializer, **problem_responses(409)},
    )
    def post(self, request: Request) -> Response:
        tag = tag_create(**_valid(TagInputSerializer, request))
        return Response(TagOutputSerializer(tag).data, status=status.HTTP_201_CREATED)


class TagDetailApi(APIView):
    permission_classes = EDITOR_WRITES

    @extend_schema(summary="Read a tag", responses=TagOutputSerializer)
    def get(self, request: Request, tag_id: UUID) -> Response:
        return Response(
            TagOutputSerializer(tag_get(tag_id=tag_id), context={"request": request}).data
        )

    @extend_schema(
        summary="Rename a tag or change its slug (editors and admins)",
        request=TagInputSerializer(partial=True),
        responses={200: TagOutputSerializer, **problem_responses(409)},
    )
    def patch(self, request: Request, tag_id: UUID) -> Response:
        tag = tag_update(tag_id=tag_id, **_valid(TagInputSerializer, request, partial=True))
        return Response(TagOutputSerializer(tag).data)

    @extend_schema(summary="Delete a tag (editors and admins)", responses={204: None})
    def delete(self, request: Request, tag_id: UUID) -> Response:
        tag_delete(tag_id=tag_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
