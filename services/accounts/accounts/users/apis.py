"""HTTP API of users: sign-up and the caller's own profile."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.apis import AnonymousApi, email_field, new_password_field
from accounts.users.models import User
from accounts.users.selectors import user_get
from accounts.users.services import email_normalize, user_register
from platform_common.api.schema import problem_responses
from platform_common.api.serializers import InputSerializer as BaseInputSerializer
from platform_common.auth.drf import request_principal

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

        class Meta:
            model = User
            fields = (*USER_FIELDS, "roles")

    @extend_schema(operation_id="user_me", responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        user = user_get(user_id=request_principal(request).id)
        return Response(self.OutputSerializer(user).data)
