"""Endpoints exercising the library the way a service's apis.py uses it."""

from uuid import UUID

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework import serializers
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from platform_common.api.errors import ConflictError, RateLimitedError
from platform_common.api.pagination import (
    CursorPagination,
    PageNumberPagination,
    paginated_response,
)
from platform_common.api.selectors import get_object_or_not_found
from platform_common.api.serializers import BaseModelSerializer, InputSerializer
from platform_common.auth.drf import optional_principal, request_principal
from platform_common.auth.permissions import HasRole
from platform_common.problems import ProblemCode, TitledCode
from tests.testapp.models import Note


class NoteCode(TitledCode):
    """An app's own codes, as a service's ``errors.py`` declares them."""

    NAME_TAKEN = "name_taken", "Name already taken"


class NoteOutputSerializer(BaseModelSerializer):
    class Meta:
        model = Note
        fields = ["id", "title", "body", "created_at"]


class NoteLinkInputSerializer(InputSerializer):
    url = serializers.URLField()


class NoteInputSerializer(InputSerializer):
    title = serializers.CharField(max_length=100)
    body = serializers.CharField(required=False, allow_blank=True)
    links = NoteLinkInputSerializer(many=True, required=False)


class NoteListApi(APIView):
    permission_classes = [AllowAny]
    pagination_class: type[PageNumberPagination | CursorPagination] = PageNumberPagination

    def get(self, request: Request) -> Response:
        return paginated_response(
            view=self,
            request=request,
            queryset=Note.objects.order_by("-created_at"),
            serializer_class=NoteOutputSerializer,
        )

    def post(self, request: Request) -> Response:
        serializer = NoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = Note.objects.create(
            title=serializer.validated_data["title"],
            body=serializer.validated_data.get("body", ""),
        )
        return Response(NoteOutputSerializer(note).data, status=201)


class NoteCursorApi(NoteListApi):
    pagination_class = CursorPagination


class NoteDetailApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request, note_id: UUID) -> Response:
        note = get_object_or_not_found(Note, id=note_id, message="Note not found.")
        return Response(NoteOutputSerializer(note).data)


ERRORS: dict[str, Exception] = {
    "application": ConflictError(
        "This article is already published.", code=ProblemCode.CONFLICT, extra={"state": "x"}
    ),
    "app_code": ConflictError("That name is taken.", code=NoteCode.NAME_TAKEN),
    "rate_limited": RateLimitedError("Slow down.", code=ProblemCode.RATE_LIMITED, retry_after=7),
    "django_validation": DjangoValidationError({"title": ["Too short."]}),
    "http404": Http404("No Note matches the given query."),
    "django_permission": DjangoPermissionDenied(),
    "throttled": Throttled(wait=12.3),
    "unhandled": RuntimeError("database password is hunter2"),
}


class ErrorApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request, kind: str) -> Response:
        raise ERRORS[kind]


class LeakyErrorApi(APIView):
    """Fails holding the caller's secrets, as a careless view would (the Sentry test)."""

    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        data = request.data
        assert isinstance(data, dict)
        email, password, session_token = data["email"], data["password"], data["refresh"]
        raise RuntimeError(f"cannot sign in {email} with {session_token} ({len(password)})")


class WhoAmIApi(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        principal = request_principal(request)
        return Response({"id": str(principal.id), "roles": sorted(principal.roles)})


class CallerApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        principal = optional_principal(request)
        return Response({"id": str(principal.id) if principal is not None else None})


class EditorOnlyApi(APIView):
    permission_classes = [HasRole.any_of("editor", "admin")]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


def plain_view_that_fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")
