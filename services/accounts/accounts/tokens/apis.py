"""HTTP API of tokens and sessions: log in, rotate a refresh token, list and end sessions,
publish the public keys."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.apis import EMAIL_MAX_LENGTH, AnonymousApi, caller_session_id, password_field
from accounts.clients import client_info
from accounts.mfa.services import MfaChallengeIssued, login_start
from accounts.tokens.keys import current_key_set
from accounts.tokens.models import Session
from accounts.tokens.selectors import session_list_active
from accounts.tokens.services import (
    TokenPair,
    session_revoke,
    sessions_revoke_all,
    token_pair_refresh,
)
from platform_common.api.errors import NotFoundError
from platform_common.api.pagination import PageNumberPagination, paginated_response
from platform_common.api.schema import problem_responses
from platform_common.api.serializers import InputSerializer as BaseInputSerializer
from platform_common.auth.drf import request_principal
from platform_common.problems import ProblemCode
from platform_common.proxy import client_ip


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

    @extend_schema_serializer(component_name="MfaChallengeOutput")
    class ChallengeOutputSerializer(serializers.Serializer[MfaChallengeIssued]):
        """The password was right and the account uses MFA: post ``challenge`` with a code
        to ``token/mfa/`` within ``expires_in`` seconds to get the tokens."""

        challenge = serializers.CharField()
        expires_in = serializers.IntegerField()

    @extend_schema(
        operation_id="token_obtain",
        request=InputSerializer,
        # 202: a second factor is needed. 401 invalid_credentials; 429 too_many_attempts is
        # documented for every operation.
        responses={
            200: OutputSerializer,
            202: ChallengeOutputSerializer,
            **problem_responses(401),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = login_start(
            request=request._request,
            client=client_info(request._request),
            **serializer.validated_data,
        )
        if isinstance(result, MfaChallengeIssued):
            return Response(
                self.ChallengeOutputSerializer(result).data,
                status=status.HTTP_202_ACCEPTED,
                headers={"Cache-Control": "no-store"},
            )
        return token_pair_response(result)


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
        return token_pair_response(
            token_pair_refresh(ip_address=client_ip(request._request), **serializer.validated_data)
        )


class SessionListApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="SessionOutput")
    class OutputSerializer(serializers.ModelSerializer[Session]):
        """One active session (login) of the caller: ``last_used_at`` is its last login or
        refresh, ``current`` marks the one asking."""

        current = serializers.SerializerMethodField()

        class Meta:
            model = Session
            fields = ("id", "user_agent", "ip_address", "created_at", "last_used_at", "current")

        def get_current(self, session: Session) -> bool:
            return session.id == caller_session_id(request_principal(self.context["request"]))

    @extend_schema(operation_id="session_list", responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated_response(
            view=self,
            request=request,
            queryset=session_list_active(user_id=request_principal(request).id),
            serializer_class=self.OutputSerializer,
        )


class SessionDetailApi(APIView):
    @extend_schema(operation_id="session_revoke", responses={204: None})
    def delete(self, request: Request, session_id: UUID) -> Response:
        session_revoke(
            user_id=request_principal(request).id,
            session_id=session_id,
            client=client_info(request._request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutApi(APIView):
    @extend_schema(
        operation_id="logout",
        request=None,
        responses={204: None, **problem_responses(404)},  # 404: the session already ended
    )
    def post(self, request: Request) -> Response:
        """End the session of this access token."""
        principal = request_principal(request)
        session_id = caller_session_id(principal)
        if session_id is None:
            raise NotFoundError(
                "This access token belongs to no session.", code=ProblemCode.NOT_FOUND
            )
        session_revoke(
            user_id=principal.id, session_id=session_id, client=client_info(request._request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllApi(APIView):
    @extend_schema(operation_id="logout_all", request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        """End every session of the caller, this one included."""
        sessions_revoke_all(
            user_id=request_principal(request).id,
            client=client_info(request._request),
            alert=True,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class JwksApi(AnonymousApi):
    @extend_schema_serializer(component_name="JwksOutput")
    class OutputSerializer(serializers.Serializer[dict[str, object]]):
        """The public keys access tokens are signed with (RFC 7517)."""

        keys = serializers.ListField(child=serializers.DictField())

    @extend_schema(operation_id="jwks", responses=OutputSerializer, auth=[])
    def get(self, request: Request) -> Response:
        return Response(
            current_key_set().jwks(now=timezone.now()),
            headers={"Cache-Control": f"public, max-age={settings.JWKS_MAX_AGE_SECONDS}"},
        )
