"""The articles REST API: thin views over selectors and services.

Every operation's input and output serializers are declared beside it; list filtering
lives in ``article_list``; the caller is read with ``optional_principal`` (reads open to
anonymous readers) or ``request_principal`` (writes).
"""

from typing import Any
from uuid import UUID

from django.utils.http import http_date
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content.articles.models import ArticleStatus
from content.articles.selectors import article_get, article_list
from content.articles.serializers import (
    ArticleInputSerializer,
    ArticleListOutputSerializer,
    ArticleOutputSerializer,
)
from content.articles.services import article_create, article_delete, article_update
from content.caching import FEED, article_scope, public_cache_invalidate, public_cached
from content.engagement.selectors import article_engagement, article_with_engagement
from platform_common.api.pagination import CursorPagination, paginated_response
from platform_common.api.schema import problem_responses
from platform_common.auth.drf import optional_principal, request_principal


def _article_response(request: Request, article_id: UUID, *, status_code: int) -> Response:
    article = article_get(article_id=article_id, viewer=optional_principal(request))
    data = ArticleOutputSerializer(article, context={"request": request}).data
    # The counts are part of the representation: the later of both changes is its age.
    changed = max(article.updated_at, article_engagement(article).changed_at)
    return Response(
        data, status=status_code, headers={"Last-Modified": http_date(changed.timestamp())}
    )


class ArticleCollectionApi(APIView):
    """``GET`` lists readable articles (anyone); ``POST`` creates one (the caller's)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    # Read by the schema generator too: the list's page envelope and parameters.
    pagination_class = CursorPagination

    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        # Not an InputSerializer: paging and ?fields= share the query string.
        status = serializers.ChoiceField(choices=ArticleStatus.choices, required=False)
        author = serializers.UUIDField(required=False)

    @extend_schema(
        summary=(
            "List readable articles: published ones, plus the caller's drafts "
            "(every draft for an editor or admin)"
        ),
        parameters=[FilterSerializer],
        responses=ArticleListOutputSerializer(many=True),
    )
    @public_cached(lambda: [FEED])
    def get(self, request: Request) -> Response:
        # A plain dict: an empty value is then invalid, not "absent" as in a form.
        filters = self.FilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        articles = article_list(
            viewer=optional_principal(request),
            status=filters.validated_data.get("status"),
            author_id=filters.validated_data.get("author"),
        )
        return paginated_response(
            view=self,
            request=request,
            queryset=article_with_engagement(articles),
            serializer_class=ArticleListOutputSerializer,
        )

    @extend_schema(
        summary="Create an article (the caller is its author)",
        request=ArticleInputSerializer,
        responses={201: ArticleOutputSerializer, **problem_responses(409)},
    )
    def post(self, request: Request) -> Response:
        author = request_principal(request)
        serializer = ArticleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = article_create(author_id=author.id, **serializer.validated_data)
        public_cache_invalidate(article_id=article.id)
        return _article_response(request, article.id, status_code=status.HTTP_201_CREATED)


class ArticleDetailApi(APIView):
    """One article: readable when published or the caller's own, changeable by its author."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        summary="Read an article (304 when unchanged since the ETag or date the caller has)",
        responses={200: ArticleOutputSerializer, 304: None},
    )
    @public_cached(lambda article_id: [article_scope(article_id)])
    def get(self, request: Request, article_id: UUID) -> Response:
        return _article_response(request, article_id, status_code=status.HTTP_200_OK)

    @extend_schema(
        summary="Replace title and body (author only)",
        request=ArticleInputSerializer,
        responses={200: ArticleOutputSerializer, **problem_responses(403)},
    )
    def put(self, request: Request, article_id: UUID) -> Response:
        return self._update(request, article_id, partial=False)

    @extend_schema(
        summary="Change some fields (author only)",
        request=ArticleInputSerializer(partial=True),
        responses={200: ArticleOutputSerializer, **problem_responses(403)},
    )
    def patch(self, request: Request, article_id: UUID) -> Response:
        return self._update(request, article_id, partial=True)

    @extend_schema(
        summary="Delete an article (author only)",
        responses={204: None, **problem_responses(403)},
    )
    def delete(self, request: Request, article_id: UUID) -> Response:
        article_delete(article_id=article_id, actor_id=request_principal(request).id)
        public_cache_invalidate(article_id=article_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, article_id: UUID, *, partial: bool) -> Response:
        actor = request_principal(request)
        serializer = ArticleInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        article_update(article_id=article_id, actor_id=actor.id, **serializer.validated_data)
        public_cache_invalidate(article_id=article_id)
        return _article_response(request, article_id, status_code=status.HTTP_200_OK)
