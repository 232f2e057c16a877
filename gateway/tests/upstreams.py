"""Small real upstream services the gateway proxies to in the tests."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

STREAM_CHUNK = bytes(range(256)) * 256  # 64 KiB
STREAM_CHUNKS = 80  # 5 MiB in all


class Gate:
    """Lets a test hold an upstream mid-response until the client has seen the first bytes."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()


class CloseLog:
    """Close codes the WebSocket upstream received from the gateway."""

    def __init__(self) -> None:
        self.codes: list[int] = []
        self.closed = asyncio.Event()

    def record(self, code: int) -> None:
        self.codes.append(code)
        self.closed.set()


async def echo(request: Request) -> Response:
    """Everything the upstream saw, plus hop-by-hop and edge-owned headers to be stripped."""
    body = await request.body()
    return JSONResponse(
        {
            "method": request.method,
            "raw_path": request.scope["raw_path"].decode(),
            "query": request.scope["query_string"].decode(),
            "headers": [
                [name.decode(), value.decode()] for name, value in request.scope["headers"]
            ],
            "body_bytes": len(body),
            "body_sha256": hashlib.sha256(body).hexdigest(),
        },
        headers={
            "connection": "x-upstream-hop",
            "x-upstream-hop": "1",
            "keep-alive": "timeout=5",
            "x-request-id": "set-by-upstream",
            "x-frame-options": "SAMEORIGIN",
            "x-upstream": "kept",
        },
    )


def echo_app(gate: Gate) -> Starlette:
    async def stream(request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(STREAM_CHUNKS):
                yield STREAM_CHUNK

        return StreamingResponse(chunks(), media_type="application/octet-stream")

    async def gated(request: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"first;"
            await gate.opened.wait()
            yield b"second"

        return StreamingResponse(chunks(), media_type="text/plain")

    async def slow(request: Request) -> Response:
        await asyncio.sleep(5)
        return JSONResponse({"too": "late"})

    async def docs(request: Request) -> Response:
        return Response(
            "<html></html>",
            media_type="text/html",
            headers={"content-security-policy": "default-src 'self'"},
        )

    return Starlette(
        routes=[
            Route("/api/v1/accounts/stream/", stream),
            Route("/api/v1/accounts/gated/", gated),
            Route("/api/v1/content/slow/", slow),
            Route("/api/v1/content/docs/", docs),
            Route("/{path:path}", echo, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]),
        ]
    )


async def websocket_echo(websocket: WebSocket, close_log: CloseLog) -> None:
    """Echoes frames; ``close:<code>`` makes it close with that code."""
    await websocket.accept(subprotocol=(websocket.scope.get("subprotocols") or [None])[0])
    await websocket.send_json(
        {
            "path": websocket.scope["raw_path"].decode(),
            "query": websocket.scope["query_string"].decode(),
            "headers": {
                name.decode(): value.decode() for name, value in websocket.scope["headers"]
            },
        }
    )
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                close_log.record(message.get("code", 1005))
                return
            if message.get("bytes") is not None:
                await websocket.send_bytes(message["bytes"])
            elif message["text"].startswith("close:"):
                await websocket.close(
                    code=int(message["text"].removeprefix("close:")), reason="bye"
                )
                return
            else:
                await websocket.send_text(message["text"])
    except WebSocketDisconnect as disconnect:
        close_log.record(disconnect.code)


def notifications_app(close_log: CloseLog) -> Starlette:
    async def endpoint(websocket: WebSocket) -> None:
        await websocket_echo(websocket, close_log)

    return Starlette(
        routes=[
            WebSocketRoute("/ws/notifications/{rest:path}", endpoint),
            Route("/{path:path}", echo, methods=["GET", "POST"]),
        ]
    )


class Hits:
    """Requests an upstream received, by path."""

    def __init__(self) -> None:
        self.by_path: dict[str, int] = {}

    def count(self, path: str) -> int:
        self.by_path[path] = self.by_path.get(path, 0) + 1
        return self.by_path[path]


def flaky_app(hits: Hits) -> Starlette:
    """Answers ``?status=`` (503 by default) to the first ``?fail=`` requests of a path."""

    async def flaky(request: Request) -> Response:
        hit = hits.count(request.url.path)
        await request.body()
        if hit <= int(request.query_params.get("fail", "0")):
            status = int(request.query_params.get("status", "503"))
            return JSONResponse({"hit": hit, "failed": True}, status_code=status)
        return JSONResponse({"hit": hit, "method": request.method})

    return Starlette(
        routes=[
            Route(
                "/{path:path}",
                flaky,
                methods=["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"],
            )
        ]
    )


def schema_app(documents: dict[str, dict[str, object]], hits: Hits) -> Starlette:
    """drf-spectacular's schema view: JSON only with ``?format=json`` (YAML otherwise)."""

    async def schema(request: Request) -> Response:
        service = request.path_params["service"]
        hits.count(request.url.path)
        if service not in documents:
            return JSONResponse({"code": "not_found"}, status_code=404)
        if request.query_params.get("format") != "json":
            return Response("openapi: 3.0.3\n", media_type="application/vnd.oai.openapi")
        return JSONResponse(documents[service], media_type="application/vnd.oai.openapi+json")

    return Starlette(routes=[Route("/api/v1/{service}/schema/", schema)])


def error_page_app(status: int) -> Starlette:
    """Answers every request as gunicorn and Django do outside the API: an HTML page."""

    async def page(request: Request) -> Response:
        return Response(
            f"<html><body><h1>{status}</h1></body></html>", status, media_type="text/html"
        )

    return Starlette(routes=[Route("/{path:path}", page)])


class Hold:
    """Keeps every request of ``hold_app`` waiting until ``release`` is set."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.waiting = 0
        self.arrived = asyncio.Condition()

    async def until_waiting(self, count: int) -> None:
        async with asyncio.timeout(5), self.arrived:
            await self.arrived.wait_for(lambda: self.waiting >= count)


def hold_app(hold: Hold) -> Starlette:
    async def held(request: Request) -> Response:
        async with hold.arrived:
            hold.waiting += 1
            hold.arrived.notify_all()
        await hold.release.wait()
        return JSONResponse({"held": True})

    return Starlette(routes=[Route("/{path:path}", held)])
