"""Endpoints exercising the library the way a service's apis.py uses it."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework import serializers
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from platform_common.api.errors import ApplicationError
from platform_common.api.pagination import CursorPagination, PageNumberPagination
from platform_common.api.serializers import BaseModelSerializer, InputSerializer
from platform_common.auth.drf import request_principal
from platform_common.auth.permissions import HasRole
from tests.testapp.models import Note


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
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(Note.objects.order_by("-created_at"), request, self)
        data = NoteOutputSerializer(page, many=True, context={"request": request}).data
        response: Response = paginator.get_paginated_response(data)
        return response

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


ERRORS: dict[str, Exception] = {
    "application": ApplicationError(
        "This article is already published.", code="conflict", status=409, extra={"state": "x"}
    ),
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


class WhoAmIApi(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        principal = request_principal(request)
        return Response({"id": str(principal.id), "roles": sorted(principal.roles)})


class EditorOnlyApi(APIView):
    permission_classes = [HasRole.any_of("editor", "admin")]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


def plain_view_that_fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")
