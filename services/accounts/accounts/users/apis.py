"""HTTP API of users: sign-up, email verification, password recovery and change, the
caller's own profile, and the roles admins grant."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.apis import (
    AnonymousApi,
    caller_session_id,
    email_field,
    new_password_field,
    password_field,
)
from accounts.clients import client_info
from accounts.users.models import User
from accounts.users.selectors import user_get
from accounts.users.services import (
    email_normalize,
    email_verification_resend,
    email_verify,
    password_change,
    password_reset_confirm,
    password_reset_request,
    user_register,
    user_role_grant,
    user_role_revoke,
)
from platform_common.api.schema import problem_responses
from platform_common.api.serializers import InputSerializer as BaseInputSerializer
from platform_common.auth.drf import request_principal
from platform_common.auth.permissions import HasRole, Role

USER_FIELDS = ("id", "email", "display_name", "date_joined")


class UserRegisterApi(AnonymousApi):
    @extend_schema_serializer(component_name="UserRegisterInput")
    class InputSerializer(BaseInputSerializer):
        """A new account: its email (unique in any case), password and display name."""

        email = email_field()
        password = new_password_field()
        display_name = serializers.CharField(max_length=150)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            # The similarity validator compares the password with the would-be user's fields.
            candidate = User(
                email=email_normalize(attrs["email"]), display_name=attrs["display_name"]
            )
            try:
                password_validation.validate_password(attrs["password"], user=candidate)
            except DjangoValidationError as error:
                raise serializers.ValidationError({"password": list(error.messages)}) from error
            return attrs

    @extend_schema_serializer(component_name="UserRegisterOutput")
    class OutputSerializer(serializers.ModelSerializer[User]):
        """The account created."""

        class Meta:
            model = User
            fields = USER_FIELDS

    @extend_schema(
        operation_id="user_register",
        request=InputSerializer,
        responses={201: OutputSerializer, **problem_responses(409)},  # 409 email_taken
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_register(**serializer.validated_data)
        return Response(self.OutputSerializer(user).data, status=status.HTTP_201_CREATED)


class UserMeApi(APIView):
    @extend_schema_serializer(component_name="UserMeOutput")
    class OutputSerializer(serializers.ModelSerializer[User]):
        """The caller's account."""

        email_verified = serializers.SerializerMethodField()

        class Meta:
            model = User
            fields = (*USER_FIELDS, "roles", "email_verified")

        def get_email_verified(self, user: User) -> bool:
            return user.email_verified_at is not None

    @extend_schema(operation_id="user_me", responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        user = user_get(user_id=request_principal(request).id)
        return Response(self.OutputSerializer(user).data)


# The mailed token: 256 random bits, URL-safe base64 (43 characters).
ACCOUNT_TOKEN_MAX_LENGTH = 64


def account_token_field() -> serializers.CharField:
    return serializers.CharField(max_length=ACCOUNT_TOKEN_MAX_LENGTH)


class AcceptedOutputSerializer(serializers.Serializer[dict[str, str]]):
    """The request was taken; what follows arrives by email, if anything."""

    detail = serializers.CharField()


def accepted(detail: str) -> Response:
    return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


class EmailRequestSerializer(BaseInputSerializer):
    """An email address to mail a link to."""

    email = email_field()


class EmailVerifyApi(AnonymousApi):
    @extend_schema_serializer(component_name="EmailVerifyInput")
    class InputSerializer(BaseInputSerializer):
        """The token of the mailed verification link."""

        token = account_token_field()

    @extend_schema(
        operation_id="email_verify",
        request=InputSerializer,
        responses={204: None, **problem_responses(404)},  # 404 account_token_invalid
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email_verify(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


# The same words for every email, known or not: the answer tells nothing about accounts.
RESEND_ACCEPTED = "If an unverified account uses this email, a new verification link is on its way."
RESET_ACCEPTED = "If an account uses this email, a password reset link is on its way."


class EmailVerificationResendApi(AnonymousApi):
    @extend_schema(
        operation_id="email_verification_resend",
        request=extend_schema_serializer(component_name="EmailVerificationResendInput")(
            EmailRequestSerializer
        ),
        responses={202: AcceptedOutputSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = EmailRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email_verification_resend(**serializer.validated_data)
        return accepted(RESEND_ACCEPTED)


class PasswordResetApi(AnonymousApi):
    @extend_schema(
        operation_id="password_reset_request",
        request=EmailRequestSerializer,
        responses={202: AcceptedOutputSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = EmailRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_request(**serializer.validated_data)
        return accepted(RESET_ACCEPTED)


class PasswordResetConfirmApi(AnonymousApi):
    @extend_schema_serializer(component_name="PasswordResetConfirmInput")
    class InputSerializer(BaseInputSerializer):
        """The token of the mailed reset link and the new password."""

        token = account_token_field()
        new_password = new_password_field()

    @extend_schema(
        operation_id="password_reset_confirm",
        request=InputSerializer,
        # 404 account_token_invalid; every session of the user ends.
        responses={204: None, **problem_responses(404)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_confirm(client=client_info(request._request), **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeApi(APIView):
    @extend_schema_serializer(component_name="PasswordChangeInput")
    class InputSerializer(BaseInputSerializer):
        """The current password and the new one."""

        current_password = password_field()
        new_password = new_password_field()

    @extend_schema(
        operation_id="password_change",
        request=InputSerializer,
        # 403 password_incorrect; the caller's other sessions end.
        responses={204: None, **problem_responses(403)},
    )
    def post(self, request: Request) -> Response:
        principal = request_principal(request)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_change(
            user_id=principal.id,
            session_id=caller_session_id(principal),
            client=client_info(request._request),
            **serializer.validated_data,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserRoleApi(APIView):
    """Admins grant (PUT) and revoke (DELETE) one role of a user."""

    permission_classes = [HasRole.any_of(Role.ADMIN)]

    @extend_schema_serializer(component_name="UserRolesOutput")
    class OutputSerializer(serializers.ModelSerializer[User]):
        """The user's roles after the change."""

        class Meta:
            model = User
            fields = ("id", "roles")

    @extend_schema(operation_id="user_role_grant", request=None, responses=OutputSerializer)
    def put(self, request: Request, user_id: UUID, role: Role) -> Response:
        user = user_role_grant(
            user_id=user_id,
            role=role,
            actor_id=request_principal(request).id,
            client=client_info(request._request),
        )
        return Response(self.OutputSerializer(user).data)

    @extend_schema(
        operation_id="user_role_revoke",
        responses=OutputSerializer,  # 404 role_not_held; the user's sessions end
    )
    def delete(self, request: Request, user_id: UUID, role: Role) -> Response:
        user = user_role_revoke(
            user_id=user_id,
            role=role,
            actor_id=request_principal(request).id,
            client=client_info(request._request),
        )
        return Response(self.OutputSerializer(user).data)
