"""HTTP API of tokens: log in, rotate a refresh token, publish the public keys."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.apis import EMAIL_MAX_LENGTH, AnonymousApi, password_field
from accounts.tokens.keys import current_key_set
from accounts.tokens.services import TokenPair, token_pair_obtain, token_pair_refresh
from platform_common.api.schema import problem_responses
from platform_common.api.serializers import InputSerializer as BaseInputSerializer


class TokenPairOutputSerializer(serializers.Serializer[TokenPair]):
    """What log-in and refresh both answer (RFC 6749 section 5.1)."""

    access = serializers.CharField()
    refresh = serializers.CharField()
    token_type = serializers.SerializerMethodField()
    expires_in = serializers.IntegerField()

    def get_token_type(self, pair: TokenPair) -> str:
        return "Bearer"


def token_pair_response(pair: TokenPair) -> Response:
    # RFC 6749 section 5.1: responses carrying tokens must not be cached.
    return Response(TokenPairOutputSerializer(pair).data, headers={"Cache-Control": "no-store"})


class TokenObtainApi(AnonymousApi):
    @extend_schema_serializer(component_name="TokenObtainInput")
    class InputSerializer(BaseInputSerializer):
        """The credentials of a log-in."""

        email = serializers.CharField(max_length=EMAIL_MAX_LENGTH)
        password = password_field()

    OutputSerializer = TokenPairOutputSerializer

    @extend_schema(
        operation_id="token_obtain",
        request=InputSerializer,
        # 401 invalid_credentials; 429 too_many_attempts is documented for every operation.
        responses={200: OutputSerializer, **problem_responses(401)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return token_pair_response(
            token_pair_obtain(request=request._request, **serializer.validated_data)
        )


class TokenRefreshApi(AnonymousApi):
    @extend_schema_serializer(component_name="TokenRefreshInput")
    class InputSerializer(BaseInputSerializer):
        """The refresh token to spend."""

        refresh = serializers.CharField(max_length=200)

    OutputSerializer = TokenPairOutputSerializer

    @extend_schema(
        operation_id="token_refresh",
        request=InputSerializer,
        # 401 invalid_token or token_reused; 409 refresh_token_rotated (retry with the new pair).
        responses={200: OutputSerializer, **problem_responses(401, 409)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return token_pair_response(token_pair_refresh(**serializer.validated_data))


class JwksApi(AnonymousApi):
    @extend_schema_serializer(component_name="JwksOutput")
    class OutputSerializer(serializers.Serializer[dict[str, object]]):
        """The public keys access tokens are signed with (RFC 7517)."""

        keys = serializers.ListField(child=serializers.DictField())

    @extend_schema(operation_id="jwks", responses=OutputSerializer, auth=[])
    def get(self, request: Request) -> Response:
        return Response(
            current_key_set().jwks(),
            headers={"Cache-Control": f"public, max-age={settings.JWKS_MAX_AGE_SECONDS}"},
        )
