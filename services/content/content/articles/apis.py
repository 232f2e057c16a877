from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content.articles.filters import ArticleFilter
from content.articles.models import Article
from content.articles.selectors import article_get, article_list
from content.articles.serializers import (
    ArticleInputSerializer,
    ArticleListOutputSerializer,
    ArticleOutputSerializer,
)
from content.articles.services import article_create, article_delete, article_update
from platform_common.auth.jwt import Principal

SPARSE_FIELDS = OpenApiParameter(
    "fields", str, description="Comma-separated output fields to return, e.g. id,title,slug."
)


def _viewer_id(request: Request) -> UUID | None:
    """The caller's user id, or None for an anonymous read."""
    user = request.user
    return user.id if isinstance(user, Principal) else None


def _actor_id(request: Request) -> UUID:
    """The caller's user id on a view whose permissions already required authentication."""
    user = request.user
    if not isinstance(user, Principal):
        raise TypeError("write endpoints must require authentication")
    return user.id


def _article_response(request: Request, article_id: UUID, *, status_code: int) -> Response:
    article = article_get(article_id=article_id, viewer_id=_viewer_id(request))
    data = ArticleOutputSerializer(article, context={"request": request}).data
    return Response(data, status=status_code)


class ArticleListCreateApi(ListAPIView[Article]):
    """Anyone lists published articles; a signed-in caller also sees their own drafts."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = ArticleListOutputSerializer
    filterset_class = ArticleFilter

    def get_queryset(self) -> QuerySet[Article]:
        return article_list(viewer_id=_viewer_id(self.request))

    @extend_schema(summary="List readable articles", parameters=[SPARSE_FIELDS])
    def get(self, request: Request) -> Response:
        return self.list(request)

    @extend_schema(
        summary="Create an article (the caller is its author)",
        request=ArticleInputSerializer,
        responses={201: ArticleOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = ArticleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = article_create(author_id=_actor_id(request), **serializer.validated_data)
        return _article_response(request, article.id, status_code=status.HTTP_201_CREATED)


class ArticleDetailApi(APIView):
    """One article: readable when published or the caller's own, changeable by its author."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        summary="Read an article", parameters=[SPARSE_FIELDS], responses=ArticleOutputSerializer
    )
    def get(self, request: Request, article_id: UUID) -> Response:
        return _article_response(request, article_id, status_code=status.HTTP_200_OK)

    @extend_schema(
        summary="Replace title and body (author only)",
        request=ArticleInputSerializer,
        responses=ArticleOutputSerializer,
    )
    def put(self, request: Request, article_id: UUID) -> Response:
        return self._update(request, article_id, partial=False)

    @extend_schema(
        summary="Change some fields (author only)",
        request=ArticleInputSerializer(partial=True),
        responses=ArticleOutputSerializer,
    )
    def patch(self, request: Request, article_id: UUID) -> Response:
        return self._update(request, article_id, partial=True)

    @extend_schema(summary="Delete an article (author only)", responses={204: None})
    def delete(self, request: Request, article_id: UUID) -> Response:
        article_delete(article_id=article_id, actor_id=_actor_id(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, article_id: UUID, *, partial: bool) -> Response:
        serializer = ArticleInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        article_update(
            article_id=article_id, actor_id=_actor_id(request), **serializer.validated_data
        )
        return _article_response(request, article_id, status_code=status.HTTP_200_OK)
