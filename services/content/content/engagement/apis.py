"""Reactions to articles and the caller's private bookmarks."""

from uuid import UUID

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content.engagement.models import ReactionKind
from content.engagement.selectors import bookmark_list
from content.engagement.serializers import BookmarkOutputSerializer
from content.engagement.services import (
    bookmark_add,
    bookmark_remove,
    reaction_add,
    reaction_remove,
)
from platform_common.api.pagination import PageNumberPagination, paginated_response
from platform_common.api.schema import problem_responses
from platform_common.auth.drf import request_principal

KIND_PARAMETER = OpenApiParameter(
    "kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=ReactionKind.values
)


class ReactionApi(APIView):
    """The caller's reaction of one kind to an article they may read (one per kind)."""

    @extend_schema(
        summary="React to an article (again: no change)",
        parameters=[KIND_PARAMETER],
        request=None,
        responses={204: None, **problem_responses(404)},
    )
    def put(self, request: Request, article_id: UUID, kind: str) -> Response:
        reaction_add(
            article_id=article_id, user=request_principal(request), kind=ReactionKind(kind)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Withdraw a reaction (none there: no change)",
        parameters=[KIND_PARAMETER],
        responses={204: None, **problem_responses(404)},
    )
    def delete(self, request: Request, article_id: UUID, kind: str) -> Response:
        reaction_remove(
            article_id=article_id, user=request_principal(request), kind=ReactionKind(kind)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class BookmarkApi(APIView):
    """Whether an article is in the caller's bookmarks."""

    @extend_schema(
        summary="Bookmark an article (again: no change)",
        request=None,
        responses={204: None, **problem_responses(404)},
    )
    def put(self, request: Request, article_id: UUID) -> Response:
        bookmark_add(article_id=article_id, user=request_principal(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Remove a bookmark (none there: no change)", responses={204: None})
    def delete(self, request: Request, article_id: UUID) -> Response:
        bookmark_remove(article_id=article_id, user=request_principal(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BookmarkCollectionApi(APIView):
    """The caller's bookmarks: private, newest first."""

    pagination_class = PageNumberPagination

    @extend_schema(
        summary="List the caller's bookmarks",
        responses={200: BookmarkOutputSerializer(many=True), **problem_responses(404)},
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            view=self,
            request=request,
            queryset=bookmark_list(user=request_principal(request)),
            serializer_class=BookmarkOutputSerializer,
        )
