"""HTTP API of multi-factor authentication: the caller's authenticator and recovery codes,
and the second step of a login."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.apis import AnonymousApi
from accounts.clients import client_info
from accounts.mfa.services import (
    TotpEnrolment,
    login_challenge_complete,
    mfa_disable,
    mfa_enabled,
    recovery_codes_regenerate,
    totp_confirm,
    totp_enrol,
)
from accounts.tokens.apis import TokenPairOutputSerializer, token_pair_response
from platform_common.api.schema import problem_responses
from platform_common.api.serializers import InputSerializer as BaseInputSerializer
from platform_common.auth.drf import request_principal

T = TypeVar("T")

# A 6-digit authenticator code or a recovery code (16 characters, maybe dashed).
CODE_MAX_LENGTH = 24


def code_field() -> serializers.CharField:
    return serializers.CharField(max_length=CODE_MAX_LENGTH)


@extend_schema_serializer(component_name="MfaCodeInput")
class CodeInputSerializer(BaseInputSerializer):
    """A code from the authenticator app, or a recovery code where one is accepted."""

    code = code_field()


@extend_schema_serializer(component_name="RecoveryCodesOutput")
class RecoveryCodesOutputSerializer(serializers.Serializer[list[str]]):
    """Single-use recovery codes, shown only now: each replaces an authenticator code once."""

    recovery_codes = serializers.ListField(child=serializers.CharField())


def recovery_codes_response(codes: list[str]) -> Response:
    return Response({"recovery_codes": codes}, headers={"Cache-Control": "no-store"})


class MfaStatusApi(APIView):
    @extend_schema_serializer(component_name="MfaStatusOutput")
    class OutputSerializer(serializers.Serializer[dict[str, bool]]):
        """Whether logins of the caller need a second factor."""

        enabled = serializers.BooleanField()

    @extend_schema(operation_id="mfa_status", responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return Response({"enabled": mfa_enabled(user_id=request_principal(request).id)})


class TotpEnrolApi(APIView):
    @extend_schema_serializer(component_name="TotpEnrolmentOutput")
    class OutputSerializer(serializers.Serializer[TotpEnrolment]):
        """The new authenticator secret (base32) and its otpauth:// URI (for a QR code);
        MFA is on only once a code from it is confirmed."""

        secret = serializers.CharField()
        otpauth_uri = serializers.CharField()

    @extend_schema(
        operation_id="mfa_totp_enrol",
        request=None,
        responses={201: OutputSerializer, **problem_responses(409)},  # 409 mfa_already_enabled
    )
    def post(self, request: Request) -> Response:
        enrolment = totp_enrol(user_id=request_principal(request).id)
        return Response(
            self.OutputSerializer(enrolment).data,
            status=status.HTTP_201_CREATED,
            headers={"Cache-Control": "no-store"},
        )


def _with_code(request: Request, action: Callable[..., T]) -> T:
    """Run ``action`` for the caller with the authenticator or recovery code of the body
    (``action`` checks it)."""
    serializer = CodeInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return action(
        user_id=request_principal(request).id,
        client=client_info(request._request),
        **serializer.validated_data,
    )


class TotpConfirmApi(APIView):
    @extend_schema(
        operation_id="mfa_totp_confirm",
        request=CodeInputSerializer,
        # 403 mfa_code_invalid; 404 mfa_not_enrolled; 429 too_many_attempts
        responses={200: RecoveryCodesOutputSerializer, **problem_responses(403, 404)},
    )
    def post(self, request: Request) -> Response:
        codes = _with_code(request, totp_confirm)
        return recovery_codes_response(codes)


class MfaDisableApi(APIView):
    @extend_schema(
        operation_id="mfa_disable",
        request=CodeInputSerializer,
        # 403 mfa_code_invalid; 404 mfa_not_enabled; 429 too_many_attempts
        responses={204: None, **problem_responses(403, 404)},
    )
    def post(self, request: Request) -> Response:
        _with_code(request, mfa_disable)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RecoveryCodesApi(APIView):
    @extend_schema(
        operation_id="mfa_recovery_codes_regenerate",
        request=CodeInputSerializer,
        # 403 mfa_code_invalid; 404 mfa_not_enabled; 429 too_many_attempts
        responses={200: RecoveryCodesOutputSerializer, **problem_responses(403, 404)},
    )
    def post(self, request: Request) -> Response:
        codes = _with_code(request, recovery_codes_regenerate)
        return recovery_codes_response(codes)


class TokenMfaApi(AnonymousApi):
    @extend_schema_serializer(component_name="TokenMfaInput")
    class InputSerializer(BaseInputSerializer):
        """The challenge a log-in answered, and an authenticator or recovery code."""

        challenge = serializers.CharField(max_length=100)
        code = code_field()

    OutputSerializer = TokenPairOutputSerializer

    @extend_schema(
        operation_id="token_mfa",
        request=InputSerializer,
        # 401 mfa_challenge_invalid or mfa_code_invalid; 429 too_many_attempts
        responses={200: OutputSerializer, **problem_responses(401)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return token_pair_response(
            login_challenge_complete(
                client=client_info(request._request), **serializer.validated_data
            )
        )
