"""RFC 9457 problem details, the one error shape every part of the platform answers with."""

from __future__ import annotations

import json
from collections.abc import Sequence

from starlette.types import Send

from gateway.headers import RawHeaders
from platform_common.problems import PROBLEM_CONTENT_TYPE as PROBLEM_CONTENT_TYPE_TEXT
from platform_common.problems import problem_body

PROBLEM_CONTENT_TYPE = PROBLEM_CONTENT_TYPE_TEXT.encode()


class Problem(Exception):
    """An error answered to the client as problem+json; ``code`` is stable, ``detail`` is not."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: Sequence[tuple[bytes, bytes]] = (),
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = list(headers)

    def body(self, *, instance: str | None, request_id: str) -> bytes:
        body = problem_body(
            status=self.status,
            code=self.code,
            detail=self.detail,
            instance=instance,
            request_id=request_id,
        )
        return json.dumps(body, separators=(",", ":")).encode()


async def send_problem(send: Send, problem: Problem, *, instance: str, request_id: str) -> None:
    body = problem.body(instance=instance, request_id=request_id)
    headers: RawHeaders = [
        (b"content-type", PROBLEM_CONTENT_TYPE),
        (b"content-length", str(len(body)).encode()),
        *problem.headers,
    ]
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def not_found(path: str) -> Problem:
    return Problem(404, "not_found", f"No route for {path}.")


def payload_too_large(limit: int) -> Problem:
    return Problem(413, "payload_too_large", f"The request body exceeds {limit} bytes.")


def upstream_timeout(service: str) -> Problem:
    return Problem(504, "upstream_timeout", f"The {service} service did not answer in time.")


def upstream_unavailable(service: str, retry_after: int) -> Problem:
    return Problem(
        503,
        "upstream_unavailable",
        f"The {service} service is unavailable.",
        headers=[(b"retry-after", str(retry_after).encode())],
    )


def bad_gateway(service: str) -> Problem:
    return Problem(502, "bad_gateway", f"The {service} service sent an invalid response.")


def upstream_busy(service: str) -> Problem:
    """The gateway's own limit on requests in flight to ``service``: not a failure of it."""
    return Problem(
        503,
        "upstream_busy",
        f"Too many requests to the {service} service are in flight; retry shortly.",
        headers=[(b"retry-after", b"1")],
    )


def request_timeout(what: str) -> Problem:
    """The connection closes after it (RFC 9110 §15.5.9): the rest is never read."""
    return Problem(
        408,
        "request_timeout",
        f"The request {what} did not arrive in time.",
        headers=[(b"connection", b"close")],
    )


def method_not_allowed(allowed: bytes) -> Problem:
    return Problem(
        405, "method_not_allowed", f"Allowed: {allowed.decode()}.", headers=[(b"allow", allowed)]
    )


# Codes for upstream error answers that are not JSON (a server's HTML page), by status.
UPSTREAM_ERROR_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    409: "conflict",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    429: "rate_limited",
    431: "request_header_fields_too_large",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "upstream_timeout",
}
# Kept from the upstream's answer: they tell the client what to do next.
UPSTREAM_ERROR_HEADERS = frozenset({b"allow", b"retry-after", b"www-authenticate"})


def upstream_error_page(
    status: int, service: str, upstream_headers: Sequence[tuple[bytes, bytes]]
) -> Problem:
    """An upstream error answered in something other than JSON, as a problem."""
    code = UPSTREAM_ERROR_CODES.get(status, "bad_request" if status < 500 else "internal_error")
    return Problem(
        status,
        code,
        f"The {service} service answered {status}.",
        headers=[
            (name.lower(), value)
            for name, value in upstream_headers
            if name.lower() in UPSTREAM_ERROR_HEADERS
        ],
    )
