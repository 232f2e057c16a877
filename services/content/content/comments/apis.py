"""The comments REST API: an article's thread, one comment, the moderation queue."""

from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content.caching import article_scope, public_cached
from content.comments.models import CommentStatus
from content.comments.selectors import (
    MODERATORS,
    comment_get,
    comment_moderation_queue,
    comment_thread,
)
from content.comments.serializers import (
    CommentCreateInputSerializer,
    CommentInputSerializer,
    CommentModerationInputSerializer,
    CommentOutputSerializer,
)
from content.comments.services import (
    comment_create,
    comment_delete,
    comment_moderate,
    comment_update,
)
from platform_common.api.pagination import (
    CursorPagination,
    PageNumberPagination,
    paginated_response,
)
from platform_common.api.schema import problem_responses
from platform_common.auth.drf import optional_principal, request_principal
from platform_common.auth.permissions import HasRole


def _comment_response(request: Request, comment_id: UUID, *, status_code: int) -> Response:
    comment = comment_get(comment_id=comment_id, viewer=optional_principal(request))
    data = CommentOutputSerializer(comment, context={"request": request}).data
    return Response(data, status=status_code)


class ThreadPagination(CursorPagination):
    """A thread reads in the order it was written."""

    ordering = "created_at"


class ArticleCommentCollectionApi(APIView):
    """``GET`` an article's approved comments (anyone); ``POST`` writes one (signed in)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = ThreadPagination

    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        replies_to = serializers.UUIDField(
            required=False, help_text="List the replies to this comment instead of the top level."
        )

    @extend_schema(
        summary="List an article's approved comments (top level, or one comment's replies)",
        parameters=[FilterSerializer],
        responses={200: CommentOutputSerializer(many=True), **problem_responses(404)},
    )
    @public_cached(lambda article_id: [article_scope(article_id)])
    def get(self, request: Request, article_id: UUID) -> Response:
        filters = self.FilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        comments = comment_thread(
            article_id=article_id,
            viewer=optional_principal(request),
            parent_id=filters.validated_data.get("replies_to"),
        )
        return paginated_response(
            view=self, request=request, queryset=comments, serializer_class=CommentOutputSerializer
        )

    @extend_schema(
        summary=(
            "Comment on a published article, or reply to one of its approved comments "
            "(waits for moderation unless the caller is an editor)"
        ),
        request=CommentCreateInputSerializer,
        responses={201: CommentOutputSerializer, **problem_responses(404, 409, 429)},
    )
    def post(self, request: Request, article_id: UUID) -> Response:
        author = request_principal(request)
        serializer = CommentCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = comment_create(
            author=author,
            article_id=article_id,
            body=serializer.validated_data["body"],
            parent_id=serializer.validated_data.get("parent_id"),
        )
        return _comment_response(request, comment.id, status_code=status.HTTP_201_CREATED)


class CommentDetailApi(APIView):
    """One comment: its author edits it for a while; its author or an editor deletes it."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        summary="Read a comment (approved, the caller's own, or any for an editor)",
        responses={200: CommentOutputSerializer, **problem_responses(404)},
    )
    def get(self, request: Request, comment_id: UUID) -> Response:
        return _comment_response(request, comment_id, status_code=status.HTTP_200_OK)

    @extend_schema(
        summary="Replace a comment's body (its author, within the edit window)",
        request=CommentInputSerializer,
        responses={200: CommentOutputSerializer, **problem_responses(403, 404, 409)},
    )
    def put(self, request: Request, comment_id: UUID) -> Response:
        actor = request_principal(request)
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment_update(comment_id=comment_id, actor=actor, body=serializer.validated_data["body"])
        return _comment_response(request, comment_id, status_code=status.HTTP_200_OK)

    @extend_schema(
        summary="Delete a comment (its author or an editor)",
        responses={204: None, **problem_responses(403, 404)},
    )
    def delete(self, request: Request, comment_id: UUID) -> Response:
        comment_delete(comment_id=comment_id, actor=request_principal(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentModerationQueueApi(APIView):
    """The moderation queue (editors and admins)."""

    permission_classes = [HasRole.any_of(*MODERATORS)]
    pagination_class = PageNumberPagination

    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        status = serializers.ChoiceField(
            choices=CommentStatus.choices, default=CommentStatus.PENDING
        )

    @extend_schema(
        summary="List comments by moderation status, oldest first (pending by default)",
        parameters=[FilterSerializer],
        responses={200: CommentOutputSerializer(many=True), **problem_responses(403, 404)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        return paginated_response(
            view=self,
            request=request,
            queryset=comment_moderation_queue(status=filters.validated_data["status"]),
            serializer_class=CommentOutputSerializer,
        )


class CommentModerationApi(APIView):
    """An editor's decision on one comment."""

    permission_classes = [HasRole.any_of(*MODERATORS)]

    @extend_schema(
        summary="Approve a comment, reject it or mark it as spam (editors and admins)",
        request=CommentModerationInputSerializer,
        responses={200: CommentOutputSerializer, **problem_responses(403, 404)},
    )
    def post(self, request: Request, comment_id: UUID) -> Response:
        serializer = CommentModerationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment_moderate(
            comment_id=comment_id,
            moderator=request_principal(request),
            status=serializer.validated_data["status"],
        )
        return _comment_response(request, comment_id, status_code=status.HTTP_200_OK)
