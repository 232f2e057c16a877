"""RFC 9457 problem details, the one error shape every part of the platform answers with."""

from __future__ import annotations

import json
from collections.abc import Sequence

from starlette.types import Send

from gateway.headers import RawHeaders
from platform_common.problems import PROBLEM_CONTENT_TYPE as PROBLEM_CONTENT_TYPE_TEXT
from platform_common.problems import ProblemCode, problem_body

PROBLEM_CONTENT_TYPE = PROBLEM_CONTENT_TYPE_TEXT.encode()


class Problem(Exception):
    """An error answered to the client as problem+json; ``code`` is stable, ``detail`` is not."""

    def __init__(
        self,
        status: int,
        code: ProblemCode,
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
    return Problem(404, ProblemCode.NOT_FOUND, f"No route for {path}.")


def payload_too_large(limit: int) -> Problem:
    return Problem(413, ProblemCode.PAYLOAD_TOO_LARGE, f"The request body exceeds {limit} bytes.")


def upstream_timeout(service: str) -> Problem:
    return Problem(
        504, ProblemCode.UPSTREAM_TIMEOUT, f"The {service} service did not answer in time."
    )


def upstream_unavailable(service: str, retry_after: int) -> Problem:
    return Problem(
        503,
        ProblemCode.UPSTREAM_UNAVAILABLE,
        f"The {service} service is unavailable.",
        headers=[(b"retry-after", str(retry_after).encode())],
    )


def bad_gateway(service: str) -> Problem:
    return Problem(502, ProblemCode.BAD_GATEWAY, f"The {service} service sent an invalid response.")


def upstream_busy(service: str) -> Problem:
    """The gateway's own limit on requests in flight to ``service``: not a failure of it."""
    return Problem(
        503,
        ProblemCode.UPSTREAM_BUSY,
        f"Too many requests to the {service} service are in flight; retry shortly.",
        headers=[(b"retry-after", b"1")],
    )


def request_timeout(what: str) -> Problem:
    """The connection closes after it (RFC 9110 §15.5.9): the rest is never read."""
    return Problem(
        408,
        ProblemCode.REQUEST_TIMEOUT,
        f"The request {what} did not arrive in time.",
        headers=[(b"connection", b"close")],
    )


def method_not_allowed(allowed: bytes) -> Problem:
    return Problem(
        405,
        ProblemCode.METHOD_NOT_ALLOWED,
        f"Allowed: {allowed.decode()}.",
        headers=[(b"allow", allowed)],
    )


# Codes for upstream error answers that are not JSON (a server's HTML page), by status.
UPSTREAM_ERROR_CODES: dict[int, ProblemCode] = {
    400: ProblemCode.BAD_REQUEST,
    401: ProblemCode.NOT_AUTHENTICATED,
    403: ProblemCode.PERMISSION_DENIED,
    404: ProblemCode.NOT_FOUND,
    405: ProblemCode.METHOD_NOT_ALLOWED,
    406: ProblemCode.NOT_ACCEPTABLE,
    408: ProblemCode.REQUEST_TIMEOUT,
    409: ProblemCode.CONFLICT,
    413: ProblemCode.PAYLOAD_TOO_LARGE,
    414: ProblemCode.URI_TOO_LONG,
    415: ProblemCode.UNSUPPORTED_MEDIA_TYPE,
    429: ProblemCode.RATE_LIMITED,
    431: ProblemCode.REQUEST_HEADER_FIELDS_TOO_LARGE,
    502: ProblemCode.BAD_GATEWAY,
    503: ProblemCode.SERVICE_UNAVAILABLE,
    504: ProblemCode.UPSTREAM_TIMEOUT,
}
# Kept from the upstream's answer: they tell the client what to do next.
UPSTREAM_ERROR_HEADERS = frozenset({b"allow", b"retry-after", b"www-authenticate"})


def upstream_error_page(
    status: int, service: str, upstream_headers: Sequence[tuple[bytes, bytes]]
) -> Problem:
    """An upstream error answered in something other than JSON, as a problem."""
    fallback = ProblemCode.BAD_REQUEST if status < 500 else ProblemCode.INTERNAL_ERROR
    code = UPSTREAM_ERROR_CODES.get(status, fallback)
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
