"""One error shape for every failure: RFC 9457 ``application/problem+json`` with a stable code.

``problem_exception_handler`` is the DRF ``EXCEPTION_HANDLER``; ``handler400``/``handler403``/
``handler404``/``handler500`` give the same shape to paths DRF never sees (set them in a
service's root ``urls.py``), and ``csrf_failure`` is the ``CSRF_FAILURE_VIEW``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework import exceptions as drf
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from platform_common.api.problems import problem_response
from platform_common.problems import FieldError, ProblemCode

logger = logging.getLogger(__name__)

AUTH_TOKEN_CODES = frozenset({ProblemCode.INVALID_TOKEN, ProblemCode.TOKEN_EXPIRED})
_SIMPLE_CODES: tuple[tuple[type[drf.APIException], ProblemCode], ...] = (
    (drf.ParseError, ProblemCode.MALFORMED_JSON),
    (drf.NotAuthenticated, ProblemCode.NOT_AUTHENTICATED),
    (drf.PermissionDenied, ProblemCode.PERMISSION_DENIED),
    (drf.NotFound, ProblemCode.NOT_FOUND),
    (drf.MethodNotAllowed, ProblemCode.METHOD_NOT_ALLOWED),
    (drf.NotAcceptable, ProblemCode.NOT_ACCEPTABLE),
    (drf.UnsupportedMediaType, ProblemCode.UNSUPPORTED_MEDIA_TYPE),
    (drf.Throttled, ProblemCode.RATE_LIMITED),
)


class ApplicationError(Exception):
    """A business rule refused the request; raised by service functions, rendered as a problem.

    The HTTP status belongs to the class (``status``), never to the raiser: domain code raises
    the subclass that says what happened (``NotFoundError``, ``ConflictError``...) with a
    stable ``code`` (a ``ProblemCode`` or an app's own ``TitledCode``).
    """

    status: int = 400

    def __init__(
        self,
        message: str,
        *,
        code: str,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = dict(extra or {})

    def headers(self) -> dict[str, str]:
        """Response headers the problem carries besides its body."""
        return {}


class NotFoundError(ApplicationError):
    status = 404


class PermissionDeniedError(ApplicationError):
    status = 403


class ConflictError(ApplicationError):
    status = 409


class AuthenticationFailedError(ApplicationError):
    status = 401


class RateLimitedError(ApplicationError):
    """Refused for now; ``retry_after`` seconds until the client may try again."""

    status = 429

    def __init__(
        self,
        message: str,
        *,
        code: str,
        retry_after: int,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, extra=extra)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def flatten_errors(detail: Any, field: str | None = None) -> list[FieldError]:
    """DRF's nested error detail as a flat list; nested fields are dotted (``items.0.name``)."""
    if isinstance(detail, Mapping):
        flat: list[FieldError] = []
        for key, value in detail.items():
            if key == api_settings.NON_FIELD_ERRORS_KEY:
                flat += flatten_errors(value, field)
            else:
                flat += flatten_errors(value, str(key) if field is None else f"{field}.{key}")
        return flat
    if isinstance(detail, list):
        flat = []
        for index, item in enumerate(detail):
            nested = isinstance(item, Mapping | list)
            flat += flatten_errors(item, _join(field, index) if nested else field)
        return flat
    return [{"field": field, "code": getattr(detail, "code", "invalid"), "message": str(detail)}]


def _join(field: str | None, index: int) -> str:
    return str(index) if field is None else f"{field}.{index}"


def validation_problem(request: HttpRequest | None, detail: Any) -> HttpResponse:
    errors = flatten_errors(detail)
    only_unknown = bool(errors) and all(
        error["code"] == ProblemCode.UNKNOWN_FIELD for error in errors
    )
    if only_unknown:
        return problem_response(
            request,
            status=400,
            code=ProblemCode.UNKNOWN_FIELD,
            detail="The request contains fields this endpoint does not accept.",
            errors=errors,
        )
    return problem_response(
        request,
        status=400,
        code=ProblemCode.VALIDATION_ERROR,
        detail="The request has invalid fields; see errors.",
        errors=errors,
    )


def _authentication_problem(request: HttpRequest | None, exc: drf.APIException) -> HttpResponse:
    code = (
        exc.get_codes()
        if isinstance(exc, drf.AuthenticationFailed)
        else ProblemCode.NOT_AUTHENTICATED
    )
    if code not in AUTH_TOKEN_CODES | {ProblemCode.NOT_AUTHENTICATED}:
        code = ProblemCode.INVALID_TOKEN
    headers: dict[str, str] = {}
    # DRF sets auth_header from the first authenticator; without one it downgrades to 403.
    auth_header = getattr(exc, "auth_header", None)
    if auth_header and exc.status_code == 401:
        error = ', error="invalid_token"' if code in AUTH_TOKEN_CODES else ""
        headers["WWW-Authenticate"] = f"{auth_header}{error}"
    return problem_response(
        request, status=exc.status_code, code=str(code), detail=str(exc.detail), headers=headers
    )


def _api_exception_problem(request: HttpRequest | None, exc: drf.APIException) -> HttpResponse:
    if isinstance(exc, drf.ValidationError):
        return validation_problem(request, exc.detail)
    if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        return _authentication_problem(request, exc)
    headers: dict[str, str] = {}
    wait: float | None = getattr(exc, "wait", None)
    if isinstance(exc, drf.Throttled) and wait is not None:
        headers["Retry-After"] = str(math.ceil(wait))
    known = next((code for kind, code in _SIMPLE_CODES if isinstance(exc, kind)), None)
    codes = exc.get_codes()
    code: str = known or (codes if isinstance(codes, str) else exc.default_code)
    if not isinstance(exc.detail, str):
        return problem_response(
            request,
            status=exc.status_code,
            code=code,
            detail=str(exc.default_detail),
            errors=flatten_errors(exc.detail),
            headers=headers,
        )
    return problem_response(
        request, status=exc.status_code, code=code, detail=str(exc.detail), headers=headers
    )


def exception_problem(request: HttpRequest | None, exc: BaseException) -> HttpResponse:
    """The problem response for any exception; unknown ones are logged and never leak details."""
    if isinstance(exc, ApplicationError):
        return problem_response(
            request,
            status=exc.status,
            code=exc.code,
            detail=exc.message,
            extra=exc.extra,
            headers=exc.headers(),
        )
    if isinstance(exc, drf.APIException):
        return _api_exception_problem(request, exc)
    if isinstance(exc, DjangoValidationError):
        return validation_problem(request, as_serializer_error(exc))
    if isinstance(exc, Http404):
        return problem_response(
            request, status=404, code=ProblemCode.NOT_FOUND, detail="Not found."
        )
    if isinstance(exc, DjangoPermissionDenied):
        return problem_response(
            request,
            status=403,
            code=ProblemCode.PERMISSION_DENIED,
            detail="You do not have permission to perform this action.",
        )
    if isinstance(exc, RequestDataTooBig):
        return payload_too_large(request)
    if isinstance(exc, SuspiciousOperation):
        logger.warning("Suspicious request rejected: %s", type(exc).__name__)
        return problem_response(
            request, status=400, code=ProblemCode.BAD_REQUEST, detail="Bad request."
        )
    logger.error("Unhandled %s", type(exc).__name__, exc_info=exc)
    return internal_error(request)


def payload_too_large(request: HttpRequest | None) -> HttpResponse:
    return problem_response(
        request,
        status=413,
        code=ProblemCode.PAYLOAD_TOO_LARGE,
        detail="The request body is larger than this service accepts.",
    )


def internal_error(request: HttpRequest | None) -> HttpResponse:
    return problem_response(
        request, status=500, code=ProblemCode.INTERNAL_ERROR, detail="An unexpected error occurred."
    )


def problem_exception_handler(exc: Exception, context: Mapping[str, Any]) -> HttpResponse:
    """DRF ``EXCEPTION_HANDLER``: every exception becomes a problem; the transaction rolls back."""
    set_rollback()
    return exception_problem(context.get("request"), exc)


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return payload_too_large(request)
    return problem_response(
        request, status=400, code=ProblemCode.BAD_REQUEST, detail="Bad request."
    )


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return exception_problem(request, DjangoPermissionDenied())


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return exception_problem(request, Http404())


def handler500(request: HttpRequest) -> HttpResponse:
    return internal_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: only cookie-authenticated form views can hit it."""
    return problem_response(
        request, status=403, code=ProblemCode.PERMISSION_DENIED, detail="CSRF verification failed."
    )
