"""HTTP API of the caller's profile and avatar, the avatars' public files, and the
account's life: export of its data, deletion."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django.conf import settings
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.apis import AnonymousApi, password_field
from accounts.clients import client_info
from accounts.users.lifecycle import user_data_export, user_delete
from accounts.users.models import (
    BIO_MAX_LENGTH,
    PHONE_NUMBER_MAX_LENGTH,
    PHONE_NUMBER_PATTERN,
    User,
    avatar_storage,
)
from accounts.users.profiles import (
    avatar_url,
    user_avatar_remove,
    user_avatar_set,
    user_profile_update,
)
from accounts.users.selectors import user_get
from platform_common.api.schema import problem_responses
from platform_common.api.serializers import InputSerializer as BaseInputSerializer
from platform_common.auth.drf import request_principal
from platform_common.stored_images import stored_image_response


@cache
def locale_choices() -> list[str]:
    return sorted(code for code, _name in settings.LANGUAGES)


@cache
def time_zone_choices() -> list[str]:
    return sorted(zoneinfo.available_timezones())


class ProfileOutputSerializer(serializers.ModelSerializer[User]):
    """The caller's profile, as other services show it."""

    avatar_url = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = (
            "id",
            "email",
            "display_name",
            "bio",
            "locale",
            "time_zone",
            "phone_number",
            "avatar_url",
        )

    def get_avatar_url(self, user: User) -> str | None:
        return avatar_url(user)


ProfileOutput = extend_schema_serializer(component_name="ProfileOutput")(ProfileOutputSerializer)


class ProfileApi(APIView):
    @extend_schema_serializer(component_name="ProfileUpdateInput")
    class InputSerializer(BaseInputSerializer):
        """The profile fields to change; the others keep their value."""

        display_name = serializers.CharField(max_length=150, required=False)
        bio = serializers.CharField(max_length=BIO_MAX_LENGTH, allow_blank=True, required=False)
        locale = serializers.ChoiceField(choices=[], required=False)
        time_zone = serializers.ChoiceField(choices=[], required=False)
        # E.164 without separators ("+4915112345678"); "" removes it.
        phone_number = serializers.RegexField(
            f"^(?:{PHONE_NUMBER_PATTERN.strip('^$')})?$",  # the schema admits "" too
            max_length=PHONE_NUMBER_MAX_LENGTH,
            allow_blank=True,
            required=False,
            error_messages={"invalid": "Enter a phone number in E.164 form, e.g. +4915112345678."},
        )

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # Built on first use, not at import: the settings decide the languages.
            self.fields["locale"].choices = locale_choices()  # type: ignore[attr-defined]
            self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]

    @extend_schema(operation_id="profile_get", responses=ProfileOutput)
    def get(self, request: Request) -> Response:
        user = user_get(user_id=request_principal(request).id)
        return Response(ProfileOutput(user).data)

    @extend_schema(operation_id="profile_update", request=InputSerializer, responses=ProfileOutput)
    def patch(self, request: Request) -> Response:
        principal = request_principal(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_profile_update(user_id=principal.id, changes=serializer.validated_data)
        return Response(ProfileOutput(user).data)


class AvatarApi(APIView):
    """The caller's avatar: upload (PUT, multipart) and remove (DELETE)."""

    parser_classes = [MultiPartParser]

    @extend_schema_serializer(component_name="AvatarUploadInput")
    class InputSerializer(BaseInputSerializer):
        """A JPEG, PNG or WebP image of at most 512 KiB and 2048 x 2048 pixels."""

        avatar = serializers.FileField()

    @extend_schema(
        operation_id="avatar_upload",
        request={"multipart/form-data": InputSerializer},
        # 400 image_invalid, image_dimensions_too_large; 413 image_too_large
        responses=ProfileOutput,
    )
    def put(self, request: Request) -> Response:
        principal = request_principal(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_avatar_set(user_id=principal.id, source=serializer.validated_data["avatar"])
        return Response(ProfileOutput(user).data)

    @extend_schema(operation_id="avatar_remove", responses={200: ProfileOutput})
    def delete(self, request: Request) -> Response:
        user = user_avatar_remove(user_id=request_principal(request).id)
        return Response(ProfileOutput(user).data)


class AvatarFileApi(AnonymousApi):
    """An avatar's image, for storages that have no public URL of their own (the local one)."""

    @extend_schema(
        operation_id="avatar_file",
        responses={
            (200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The image."),
            **problem_responses(404),
        },
        auth=[],
    )
    def get(self, request: Request, name: str) -> FileResponse:
        return stored_image_response(storage=avatar_storage(), name=name, what="avatar")


class ExportAccountSerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    email_verified_at = serializers.DateTimeField(allow_null=True)
    date_joined = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)
    roles = serializers.ListField(child=serializers.CharField())


class ExportProfileSerializer(serializers.Serializer[dict[str, Any]]):
    display_name = serializers.CharField()
    bio = serializers.CharField(allow_blank=True)
    locale = serializers.CharField()
    time_zone = serializers.CharField()
    avatar_url = serializers.URLField(allow_null=True)


class ExportSessionSerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.UUIDField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    ip_address = serializers.IPAddressField(allow_null=True)
    user_agent = serializers.CharField(allow_blank=True)


class AccountExportApi(APIView):
    @extend_schema_serializer(component_name="AccountExportOutput")
    class OutputSerializer(serializers.Serializer[dict[str, Any]]):
        """Everything accounts keeps about the caller."""

        account = ExportAccountSerializer()
        profile = ExportProfileSerializer()
        sessions = ExportSessionSerializer(many=True)

    @extend_schema(operation_id="account_export", responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        # Built by the service already as JSON-ready data: returned as it is.
        return Response(user_data_export(user_id=request_principal(request).id))


class AccountDeleteApi(APIView):
    @extend_schema_serializer(component_name="AccountDeleteInput")
    class InputSerializer(BaseInputSerializer):
        """The current password, to confirm."""

        password = password_field()

    @extend_schema(
        operation_id="account_delete",
        request=InputSerializer,
        # 403 password_incorrect; the account is anonymised and its sessions end.
        responses={204: None, **problem_responses(403)},
    )
    def post(self, request: Request) -> Response:
        principal = request_principal(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_delete(
            user_id=principal.id, client=client_info(request._request), **serializer.validated_data
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
