"""RFC 9457 problem documents: the one error shape of every service and the gateway.

Django-free, so the gateway builds the very same document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, Self, TypedDict

from platform_common.observability.logging import request_id_var

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:platform:problem:"


class TitledCode(StrEnum):
    """A stable problem ``code`` with the ``title`` every problem of that code carries.

    Subclass it (without members) for an app's own codes:
    ``class ArticleCode(TitledCode): SLUG_TAKEN = "slug_taken", "Slug taken"``.
    """

    problem_title: str

    def __new__(cls, value: str, problem_title: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.problem_title = problem_title
        return member


class ProblemCode(TitledCode):
    """Every code the library and the gateway answer with; clients may switch on them."""

    BAD_REQUEST = "bad_request", "Bad request"
    VALIDATION_ERROR = "validation_error", "Invalid input"
    MALFORMED_JSON = "malformed_json", "Malformed JSON"
    UNKNOWN_FIELD = "unknown_field", "Unknown field"
    NOT_AUTHENTICATED = "not_authenticated", "Authentication required"
    INVALID_TOKEN = "invalid_token", "Invalid token"
    TOKEN_EXPIRED = "token_expired", "Token expired"
    PERMISSION_DENIED = "permission_denied", "Permission denied"
    NOT_FOUND = "not_found", "Not found"
    METHOD_NOT_ALLOWED = "method_not_allowed", "Method not allowed"
    NOT_ACCEPTABLE = "not_acceptable", "Not acceptable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", "Unsupported media type"
    PAYLOAD_TOO_LARGE = "payload_too_large", "Payload too large"
    RATE_LIMITED = "rate_limited", "Too many requests"
    CONFLICT = "conflict", "Conflict"
    INTERNAL_ERROR = "internal_error", "Internal server error"
    SERVICE_UNAVAILABLE = "service_unavailable", "Service unavailable"
    BAD_GATEWAY = "bad_gateway", "Bad gateway"
    UPSTREAM_TIMEOUT = "upstream_timeout", "Upstream timeout"
    UPSTREAM_UNAVAILABLE = "upstream_unavailable", "Upstream unavailable"
    UPSTREAM_REFUSED = "upstream_refused", "Upstream refused"
    UPSTREAM_BUSY = "upstream_busy", "Upstream busy"
    REQUEST_TIMEOUT = "request_timeout", "Request timeout"
    URI_TOO_LONG = "uri_too_long", "URI too long"
    REQUEST_HEADER_FIELDS_TOO_LARGE = (
        "request_header_fields_too_large",
        "Request header fields too large",
    )
    TOO_MANY_CONNECTIONS = "too_many_connections", "Too many connections"
    IDEMPOTENCY_IN_PROGRESS = "idempotency_in_progress", "Idempotent request in progress"
    IDEMPOTENCY_KEY_MISMATCH = "idempotency_key_mismatch", "Idempotency key reused"
    IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid", "Invalid idempotency key"


def problem_title(code: str) -> str:
    """The title of ``code``: its enum's, or the code in words for a code without one."""
    if isinstance(code, TitledCode):
        return code.problem_title
    known = ProblemCode._value2member_map_.get(code)
    if isinstance(known, ProblemCode):
        return known.problem_title
    return code.replace("_", " ").capitalize()


RESERVED_MEMBERS = frozenset(
    {"type", "title", "status", "detail", "code", "instance", "request_id", "errors"}
)


class FieldError(TypedDict):
    field: str | None
    code: str
    message: str


def problem_body(
    *,
    status: int,
    code: str,
    detail: str,
    instance: str | None,
    errors: Sequence[FieldError] | None = None,
    extra: Mapping[str, Any] | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """The problem document; ``extra`` adds extension members but never replaces standard ones.

    ``request_id`` defaults to the one of the current request (a context variable).
    """
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + code,
        "title": problem_title(code),
        "status": status,
        "detail": detail,
        "code": str(code),
        "instance": instance,
        "request_id": request_id if request_id is not None else request_id_var.get(),
    }
    if errors is not None:
        body["errors"] = list(errors)
    for key, value in (extra or {}).items():
        if key not in RESERVED_MEMBERS:
            body[key] = value
    return body
