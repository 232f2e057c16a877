"""WebSocket proxy: frames both ways between the client and the notifications service."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

import aiohttp
from starlette.types import Receive, Scope, Send

from gateway import problems
from gateway.headers import WEBSOCKET_DROPPED, RequestHead, upstream_request_headers
from gateway.problems import Problem
from platform_common.problems import ProblemCode

# Reserved codes (RFC 6455 §7.4.1) that report a state and must never be sent in a frame.
NO_STATUS = 1005
ABNORMAL = 1006
NORMAL = 1000
GOING_AWAY = 1001
BAD_GATEWAY = 1014
POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013


async def deny(scope: Scope, send: Send, problem: Problem, *, request_id: bytes) -> None:
    """Refuse a handshake: problem+json where the server can answer HTTP, else a close."""
    if "websocket.http.response" not in scope.get("extensions", {}):
        code = TRY_AGAIN_LATER if problem.status in (429, 503) else POLICY_VIOLATION
        await send({"type": "websocket.close", "code": code})
        return
    body = problem.body(instance=scope["path"], request_id=request_id.decode("ascii"))
    await send(
        {
            "type": "websocket.http.response.start",
            "status": problem.status,
            "headers": [
                (b"content-type", problems.PROBLEM_CONTENT_TYPE),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", request_id),
                *problem.headers,
            ],
        }
    )
    await send({"type": "websocket.http.response.body", "body": body})


class WebSocketProxy:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        upstream: str,
        *,
        proxy_secret: str,
        retry_after_seconds: int,
    ) -> None:
        self._session = session
        self._upstream = upstream
        self._proxy_secret = proxy_secret.encode()
        self._retry_after = retry_after_seconds

    async def forward(
        self, scope: Scope, receive: Receive, send: Send, *, head: RequestHead
    ) -> None:
        """Open the upstream socket first, so a refused upstream refuses the client too."""
        connect = await receive()
        assert connect["type"] == "websocket.connect"
        url = self._upstream + scope["raw_path"].decode("latin-1")
        if scope["query_string"]:
            url += "?" + scope["query_string"].decode("latin-1")
        request_id = head.request_id
        try:
            upstream = await self._session.ws_connect(
                url,
                headers=[
                    (name.decode("latin-1"), value.decode("latin-1"))
                    for name, value in upstream_request_headers(
                        scope, head=head, proxy_secret=self._proxy_secret, dropped=WEBSOCKET_DROPPED
                    )
                ],
                protocols=scope.get("subprotocols", ()),
                autoping=True,
            )
        except aiohttp.WSServerHandshakeError as error:
            await deny(
                scope,
                send,
                Problem(
                    error.status, ProblemCode.UPSTREAM_REFUSED, "The notifications service refused."
                ),
                request_id=request_id,
            )
            return
        except (aiohttp.ClientError, TimeoutError):
            problem = problems.upstream_unavailable("notifications", self._retry_after)
            await deny(scope, send, problem, request_id=request_id)
            return
        await send(
            {
                "type": "websocket.accept",
                "subprotocol": upstream.protocol,
                "headers": [(b"x-request-id", request_id)],
            }
        )
        async with upstream:
            await _pump_until_either_closes(
                _client_to_upstream(receive, upstream), _upstream_to_client(upstream, send)
            )


async def _pump_until_either_closes(*pumps: Coroutine[Any, Any, None]) -> None:
    tasks = [asyncio.create_task(pump) for pump in pumps]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _client_to_upstream(receive: Receive, upstream: aiohttp.ClientWebSocketResponse) -> None:
    while True:
        message = await receive()
        if message["type"] == "websocket.receive":
            if message.get("text") is not None:
                await upstream.send_str(message["text"])
            else:
                await upstream.send_bytes(message["bytes"])
        elif message["type"] == "websocket.disconnect":
            code = message.get("code", NO_STATUS)
            await upstream.close(code=GOING_AWAY if code in (NO_STATUS, ABNORMAL) else code)
            return


async def _upstream_to_client(upstream: aiohttp.ClientWebSocketResponse, send: Send) -> None:
    while True:
        message = await upstream.receive()
        if message.type is aiohttp.WSMsgType.TEXT:
            await send({"type": "websocket.send", "text": message.data})
        elif message.type is aiohttp.WSMsgType.BINARY:
            await send({"type": "websocket.send", "bytes": message.data})
        else:
            closed_cleanly = message.type is aiohttp.WSMsgType.CLOSE
            reason = (message.extra or "") if closed_cleanly else ""
            await _close_client(send, upstream, closed_cleanly=closed_cleanly, reason=reason)
            return


async def _close_client(
    send: Send, upstream: aiohttp.ClientWebSocketResponse, *, closed_cleanly: bool, reason: str
) -> None:
    """Pass the upstream's close code on; a broken upstream is a bad gateway (1014)."""
    code = upstream.close_code
    if not closed_cleanly:
        code = BAD_GATEWAY
    elif code is None or code in (NO_STATUS, ABNORMAL):
        code = NORMAL
    # The client may already be gone; there is nobody left to tell.
    with contextlib.suppress(OSError):
        await send({"type": "websocket.close", "code": code, "reason": reason})
