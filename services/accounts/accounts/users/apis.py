"""HTTP API of users: sign-up and the caller's own profile."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.users.models import User
from accounts.users.selectors import user_get
from accounts.users.services import email_normalize, user_register
from platform_common.api.serializers import InputSerializer
from platform_common.auth.jwt import Principal


class UserOutputSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields: tuple[str, ...] = ("id", "email", "display_name", "date_joined")


class UserRegisterApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    class RegistrationSerializer(InputSerializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, trim_whitespace=False)
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

    @extend_schema(request=RegistrationSerializer, responses={201: UserOutputSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        serializer = self.RegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_register(**serializer.validated_data)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class UserMeApi(APIView):
    class OutputSerializer(UserOutputSerializer):
        class Meta(UserOutputSerializer.Meta):
            fields = (*UserOutputSerializer.Meta.fields, "roles")

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        principal = cast(Principal, request.user)  # IsAuthenticated lets only principals in
        user = user_get(user_id=principal.id)
        if user is None:
            raise Http404("The account of this token no longer exists.")
        return Response(self.OutputSerializer(user).data)
