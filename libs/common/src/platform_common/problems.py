"""RFC 9457 problem documents: the one error shape of every service and the gateway.

Django-free, so the gateway builds the very same document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from platform_common.observability.logging import request_id_var

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:platform:problem:"

# Stable codes clients may switch on, with the title every problem of that code carries.
TITLES: dict[str, str] = {
    "bad_request": "Bad request",
    "validation_error": "Invalid input",
    "malformed_json": "Malformed JSON",
    "unknown_field": "Unknown field",
    "not_authenticated": "Authentication required",
    "invalid_token": "Invalid token",
    "token_expired": "Token expired",
    "permission_denied": "Permission denied",
    "not_found": "Not found",
    "method_not_allowed": "Method not allowed",
    "not_acceptable": "Not acceptable",
    "unsupported_media_type": "Unsupported media type",
    "payload_too_large": "Payload too large",
    "rate_limited": "Too many requests",
    "conflict": "Conflict",
    "internal_error": "Internal server error",
    "service_unavailable": "Service unavailable",
    "bad_gateway": "Bad gateway",
    "upstream_timeout": "Upstream timeout",
    "upstream_unavailable": "Upstream unavailable",
    "upstream_refused": "Upstream refused",
}
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
        "title": TITLES.get(code, code.replace("_", " ").capitalize()),
        "status": status,
        "detail": detail,
        "code": code,
        "instance": instance,
        "request_id": request_id if request_id is not None else request_id_var.get(),
    }
    if errors is not None:
        body["errors"] = list(errors)
    for key, value in (extra or {}).items():
        if key not in RESERVED_MEMBERS:
            body[key] = value
    return body
