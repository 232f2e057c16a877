"""HTTP API of tokens: log in, rotate a refresh token, publish the public keys."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.tokens.keys import current_key_set
from accounts.tokens.services import (
    TokenPair,
    TooManyAttempts,
    token_pair_obtain,
    token_pair_refresh,
)
from platform_common.api.serializers import InputSerializer


class TokenPairOutputSerializer(serializers.Serializer[TokenPair]):
    access = serializers.CharField()
    refresh = serializers.CharField()
    token_type = serializers.SerializerMethodField()
    expires_in = serializers.IntegerField()

    def get_token_type(self, pair: TokenPair) -> str:
        return "Bearer"


def _token_response(pair: TokenPair) -> Response:
    # RFC 6749 section 5.1: responses carrying tokens must not be cached.
    return Response(TokenPairOutputSerializer(pair).data, headers={"Cache-Control": "no-store"})


class TokenObtainApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    class CredentialsSerializer(InputSerializer):
        email = serializers.CharField(max_length=254)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(request=CredentialsSerializer, responses=TokenPairOutputSerializer, auth=[])
    def post(self, request: Request) -> Response:
        serializer = self.CredentialsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _token_response(
            token_pair_obtain(request=request._request, **serializer.validated_data)
        )

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if isinstance(exc, TooManyAttempts):
            response["Retry-After"] = str(exc.retry_after)
        return response


class TokenRefreshApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    class RefreshSerializer(InputSerializer):
        refresh = serializers.CharField(max_length=200)

    @extend_schema(request=RefreshSerializer, responses=TokenPairOutputSerializer, auth=[])
    def post(self, request: Request) -> Response:
        serializer = self.RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _token_response(token_pair_refresh(**serializer.validated_data))


class JwksApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        responses=inline_serializer(
            "Jwks", {"keys": serializers.ListField(child=serializers.DictField())}
        ),
        auth=[],
    )
    def get(self, request: Request) -> Response:
        return Response(
            current_key_set().jwks(),
            headers={"Cache-Control": f"public, max-age={settings.JWKS_MAX_AGE_SECONDS}"},
        )
