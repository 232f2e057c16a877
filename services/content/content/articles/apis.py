"""The articles REST API: thin views over selectors and services.

Every operation's input and output serializers are declared beside it; list filtering
lives in ``article_list``; the caller is read with ``optional_principal`` (reads open to
anonymous readers) or ``request_principal`` (writes).
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import FileResponse
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from content.articles.filters import ORDERING_FIELDS
from content.articles.models import Article, ArticleStatus, cover_storage
from content.articles.selectors import (
    article_autocomplete,
    article_get,
    article_list,
    article_revision_diff,
    article_revision_list,
    article_search,
)
from content.articles.serializers import (
    ArticleInputSerializer,
    ArticleListOutputSerializer,
    ArticleOutputSerializer,
    ArticleSearchOutputSerializer,
    AutocompleteOutputSerializer,
    CoverInputSerializer,
    PublishInputSerializer,
    RejectInputSerializer,
    RevisionDiffFilterSerializer,
    RevisionDiffOutputSerializer,
    RevisionOutputSerializer,
)
from content.articles.services import (
    article_cover_remove,
    article_cover_set,
    article_create,
    article_delete,
    article_revision_restore,
    article_update,
)
from content.articles.view_counts import article_view_record
from content.articles.workflow import (
    article_archive,
    article_publish,
    article_reject,
    article_submit,
)
from content.caching import FEED, article_scope, public_cached
from content.engagement.selectors import article_engagement, article_with_engagement
from content.taxonomy.permissions import WRITER_WRITES
from platform_common.api.pagination import (
    CursorPagination,
    PageNumberPagination,
    paginated_response,
)
from platform_common.api.schema import problem_responses
from platform_common.auth.drf import optional_principal, request_principal
from platform_common.stored_images import stored_image_response


def _query_values(validated: dict[str, Any]) -> dict[str, str]:
    """Validated query values as django-filter reads them (strings, ISO dates)."""
    return {
        name: value.isoformat() if isinstance(value, datetime) else str(value)
        for name, value in validated.items()
    }


REFERENCES_NOTE = "409 `unknown_category` / `unknown_tag` when a given id does not exist."


def _represented(request: Request, article: Article, *, status_code: int) -> Response:
    data = ArticleOutputSerializer(article, context={"request": request}).data
    # The counts are part of the representation: the later of both changes is its age.
    changed = max(article.updated_at, article_engagement(article).changed_at)
    return Response(
        data, status=status_code, headers={"Last-Modified": http_date(changed.timestamp())}
    )


def _article_response(request: Request, article_id: UUID, *, status_code: int) -> Response:
    article = article_get(article_id=article_id, viewer=optional_principal(request))
    return _represented(request, article, status_code=status_code)


def _article_read(request: Request, **lookup: Any) -> Response:
    """A signed-in reader's GET of one article; reads of published articles are views."""
    article = article_get(viewer=optional_principal(request), **lookup)
    if article.status == ArticleStatus.PUBLISHED:
        article_view_record(article_id=article.id)
    return _represented(request, article, status_code=status.HTTP_200_OK)


class ArticleCollectionApi(APIView):
    """``GET`` lists readable articles (anyone); ``POST`` creates one (the caller's: authors,
    editors and admins; a plain reader gets a 403)."""

    permission_classes = WRITER_WRITES
    # Read by the schema generator too: the list's page envelope and parameters.
    pagination_class = CursorPagination

    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        # Not an InputSerializer: paging and ?fields= share the query string.
        status = serializers.ChoiceField(
            choices=ArticleStatus.choices,
            required=False,
            help_text="Within what the caller may read: other authors' unpublished articles "
            "only for editors and admins.",
        )
        author = serializers.UUIDField(required=False)
        category = serializers.UUIDField(required=False, help_text="Its subcategories included.")
        tag = serializers.SlugField(required=False, help_text="A tag's slug (any case).")
        published_after = serializers.DateTimeField(required=False)
        published_before = serializers.DateTimeField(required=False)
        ordering = serializers.ChoiceField(
            choices=[f"{sign}{name}" for name in ORDERING_FIELDS for sign in ("", "-")],
            required=False,
            help_text="Newest first (-created_at) by default.",
        )

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
            viewer=optional_principal(request), filters=_query_values(filters.validated_data)
        )
        return paginated_response(
            view=self,
            request=request,
            queryset=article_with_engagement(articles),
            serializer_class=ArticleListOutputSerializer,
        )

    @extend_schema(
        summary="Create an article (the caller is its author; role author, editor or admin)",
        description=f"403 `permission_denied` for a caller without one of those roles. "
        f"{REFERENCES_NOTE}",
        request=ArticleInputSerializer,
        responses={201: ArticleOutputSerializer, **problem_responses(403, 409)},
    )
    def post(self, request: Request) -> Response:
        author = request_principal(request)
        serializer = ArticleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = article_create(author_id=author.id, **serializer.validated_data)
        return _article_response(request, article.id, status_code=status.HTTP_201_CREATED)


class ArticleBySlugApi(APIView):
    """The same article as ``ArticleDetailApi``, addressed by its slug (public links)."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(summary="Read an article by its slug", responses=ArticleOutputSerializer)
    def get(self, request: Request, slug: str) -> Response:
        return _article_read(request, slug=slug)


class ArticleDetailApi(APIView):
    """One article: readable when published or the caller's own, changeable by its author."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        summary="Read an article (304 when unchanged since the ETag or date the caller has)",
        responses={200: ArticleOutputSerializer, 304: None},
    )
    def get(self, request: Request, article_id: UUID) -> Response:
        if optional_principal(request) is not None:
            return _article_read(request, article_id=article_id)
        response = self._public_read(request, article_id=article_id)
        if response.status_code == status.HTTP_200_OK:
            # Anonymous readers are shown published articles only: a view, cached or not.
            article_view_record(article_id=article_id)
        return response

    @public_cached(lambda article_id: [article_scope(article_id)])
    def _public_read(self, request: Request, article_id: UUID) -> Response:
        return _article_response(request, article_id, status_code=status.HTTP_200_OK)

    @extend_schema(
        summary="Replace title and body (author only)",
        description=REFERENCES_NOTE,
        request=ArticleInputSerializer,
        responses={200: ArticleOutputSerializer, **problem_responses(403, 409)},
    )
    def put(self, request: Request, article_id: UUID) -> Response:
        return self._update(request, article_id, partial=False)

    @extend_schema(
        summary="Change some fields (author only)",
        description=REFERENCES_NOTE,
        request=ArticleInputSerializer(partial=True),
        responses={200: ArticleOutputSerializer, **problem_responses(403, 409)},
    )
    def patch(self, request: Request, article_id: UUID) -> Response:
        return self._update(request, article_id, partial=True)

    @extend_schema(
        summary="Delete an article (author only)",
        responses={204: None, **problem_responses(403)},
    )
    def delete(self, request: Request, article_id: UUID) -> Response:
        article_delete(article_id=article_id, actor_id=request_principal(request).id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, article_id: UUID, *, partial: bool) -> Response:
        actor = request_principal(request)
        serializer = ArticleInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        article_update(article_id=article_id, actor_id=actor.id, **serializer.validated_data)
        return _article_response(request, article_id, status_code=status.HTTP_200_OK)


class ArticleCoverApi(APIView):
    """The article's cover image: upload (PUT, multipart) and remove (DELETE), by its author,
    an editor or an admin."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="article_cover_upload",
        summary="Upload the cover image (author, editors, admins): checked and re-encoded",
        description="400 `image_invalid` / `image_dimensions_too_large`, 413 `image_too_large`; "
        "409 `not_editable` for an archived article.",
        request={"multipart/form-data": CoverInputSerializer},
        responses={200: ArticleOutputSerializer, **problem_responses(403, 409)},
    )
    def put(self, request: Request, article_id: UUID) -> Response:
        serializer = CoverInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article_cover_set(
            article_id=article_id,
            actor=request_principal(request),
            source=serializer.validated_data["cover"],
        )
        return _article_response(request, article_id, status_code=status.HTTP_200_OK)

    @extend_schema(
        summary="Remove the cover image (author, editors, admins)",
        responses={200: ArticleOutputSerializer, **problem_responses(403, 409)},
    )
    def delete(self, request: Request, article_id: UUID) -> Response:
        article_cover_remove(article_id=article_id, actor=request_principal(request))
        return _article_response(request, article_id, status_code=status.HTTP_200_OK)


class CoverFileApi(APIView):
    """A cover's image, for storages that have no public URL of their own (the local one)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="A stored cover image (random names, never reused: cached for a year)",
        responses={
            (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The image."),
            **problem_responses(404),
        },
        auth=[],
    )
    def get(self, request: Request, name: str) -> FileResponse:
        return stored_image_response(storage=cover_storage(), name=name, what="cover image")


TRANSITION_ERRORS = problem_responses(403, 409)
TRANSITION_NOTE = (
    "403 `permission_denied` when the caller may not make this transition; 409 "
    "`invalid_transition` (with `current_status`) when the article's status does not allow it."
)


def _transitioned(request: Request, article_id: UUID) -> Response:
    return _article_response(request, article_id, status_code=status.HTTP_200_OK)


class ArticleSubmitApi(APIView):
    @extend_schema(
        summary="Submit a draft for review (its author): draft -> in_review",
        description=TRANSITION_NOTE,
        request=None,
        responses={200: ArticleOutputSerializer, **TRANSITION_ERRORS},
    )
    def post(self, request: Request, article_id: UUID) -> Response:
        article_submit(article_id=article_id, actor=request_principal(request))
        return _transitioned(request, article_id)


class ArticleRejectApi(APIView):
    @extend_schema(
        summary="Send an article in review back to draft, with a reason (editors)",
        description=TRANSITION_NOTE,
        request=RejectInputSerializer,
        responses={200: ArticleOutputSerializer, **TRANSITION_ERRORS},
    )
    def post(self, request: Request, article_id: UUID) -> Response:
        serializer = RejectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article_reject(
            article_id=article_id, actor=request_principal(request), **serializer.validated_data
        )
        return _transitioned(request, article_id)


class ArticlePublishApi(APIView):
    @extend_schema(
        summary="Approve an article in review: publish now, or at publish_at (editors)",
        description=TRANSITION_NOTE,
        request=PublishInputSerializer,
        responses={200: ArticleOutputSerializer, **TRANSITION_ERRORS},
    )
    def post(self, request: Request, article_id: UUID) -> Response:
        serializer = PublishInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article_publish(
            article_id=article_id, actor=request_principal(request), **serializer.validated_data
        )
        return _transitioned(request, article_id)


class ArticleArchiveApi(APIView):
    @extend_schema(
        summary="Archive a published article (editors)",
        description=TRANSITION_NOTE,
        request=None,
        responses={200: ArticleOutputSerializer, **TRANSITION_ERRORS},
    )
    def post(self, request: Request, article_id: UUID) -> Response:
        article_archive(article_id=article_id, actor=request_principal(request))
        return _transitioned(request, article_id)


REVISION_NOTE = "For the article's author, editors and admins (others: 403)."


class ArticleRevisionListApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        summary="The article's revisions, newest first",
        description=REVISION_NOTE,
        responses={200: RevisionOutputSerializer(many=True), **problem_responses(403)},
    )
    def get(self, request: Request, article_id: UUID) -> Response:
        revisions = article_revision_list(article_id=article_id, viewer=request_principal(request))
        return paginated_response(
            view=self,
            request=request,
            queryset=revisions,
            serializer_class=RevisionOutputSerializer,
        )


class ArticleRevisionDiffApi(APIView):
    @extend_schema(
        summary="Unified diff between two revisions (?from=&to=)",
        description=REVISION_NOTE,
        parameters=[RevisionDiffFilterSerializer],
        responses={200: RevisionDiffOutputSerializer, **problem_responses(403)},
    )
    def get(self, request: Request, article_id: UUID) -> Response:
        numbers = RevisionDiffFilterSerializer(data=request.query_params.dict())
        numbers.is_valid(raise_exception=True)
        diff = article_revision_diff(
            article_id=article_id,
            viewer=request_principal(request),
            from_number=numbers.validated_data["from"],
            to_number=numbers.validated_data["to"],
        )
        return Response({"diff": diff})


class ArticleRevisionRestoreApi(APIView):
    @extend_schema(
        summary="Restore a revision's title, summary and body (author only; a new revision)",
        request=None,
        responses={200: ArticleOutputSerializer, **problem_responses(403, 409)},
    )
    def post(self, request: Request, article_id: UUID, number: int) -> Response:
        article_revision_restore(
            article_id=article_id, actor_id=request_principal(request).id, number=number
        )
        return _article_response(request, article_id, status_code=status.HTTP_200_OK)


AUTOCOMPLETE_LIMIT = 10


class ArticleSearchApi(APIView):
    """Full-text search over what the caller may read, best first."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = PageNumberPagination

    class QuerySerializer(serializers.Serializer[dict[str, Any]]):
        q = serializers.CharField(
            max_length=200, help_text='Words, "a phrase", -excluded, or: web search syntax.'
        )

    @extend_schema(
        summary="Search articles (title above summary above body), with highlighted passages",
        parameters=[QuerySerializer],
        responses=ArticleSearchOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data={"q": request.query_params.get("q")})
        query.is_valid(raise_exception=True)
        hits = article_search(viewer=optional_principal(request), query=query.validated_data["q"])
        return paginated_response(
            view=self,
            request=request,
            queryset=hits,
            serializer_class=ArticleSearchOutputSerializer,
        )


class AutocompleteApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    class QuerySerializer(serializers.Serializer[dict[str, Any]]):
        q = serializers.CharField(max_length=100)

    @extend_schema(
        summary=f"Published titles and tags starting with q (at most {AUTOCOMPLETE_LIMIT} each)",
        parameters=[QuerySerializer],
        responses=AutocompleteOutputSerializer,
    )
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data={"q": request.query_params.get("q")})
        query.is_valid(raise_exception=True)
        articles, tags = article_autocomplete(
            prefix=query.validated_data["q"], limit=AUTOCOMPLETE_LIMIT
        )
        return Response(AutocompleteOutputSerializer({"articles": articles, "tags": tags}).data)
