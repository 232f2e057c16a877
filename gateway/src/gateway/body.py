"""The client's request body, received whole before any upstream is asked.

Bodies are bounded (``MAX_REQUEST_BODY_BYTES``), so holding one is cheap; in exchange a slow
client holds no upstream connection or worker thread while it sends, a body must arrive
within ``REQUEST_BODY_TIMEOUT`` (else 408), and a chunked body leaves with a
``Content-Length`` (WSGI services read a body without one as empty).
"""

from __future__ import annotations

import asyncio

from starlette.types import Receive

from gateway import problems
from gateway.headers import RequestHead
from gateway.problems import Problem
from platform_common.problems import ProblemCode

CLIENT_GONE = Problem(400, ProblemCode.BAD_REQUEST, "The client went away while sending the body.")


async def receive_body(
    receive: Receive, head: RequestHead, *, limit: int, timeout: float
) -> bytes | None:
    """The whole body, or None when the request has none."""
    if head.content_length is None and not head.chunked:
        return None
    if head.content_length is not None and head.content_length > limit:
        raise problems.payload_too_large(limit)
    try:
        async with asyncio.timeout(timeout):
            return await _read(receive, limit)
    except TimeoutError as error:
        raise problems.request_timeout("body") from error


async def _read(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    received = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise CLIENT_GONE
        chunk: bytes = message.get("body", b"")
        received += len(chunk)
        if received > limit:
            raise problems.payload_too_large(limit)
        if not message.get("more_body", False):
            if not chunks:
                return chunk  # the common case: the whole body in one message
            chunks.append(chunk)
            return b"".join(chunks)
        chunks.append(chunk)
