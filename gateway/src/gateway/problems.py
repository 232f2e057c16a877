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

    def body(self, *, instance: str, request_id: str) -> bytes:
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
