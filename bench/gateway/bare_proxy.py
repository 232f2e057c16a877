"""The Python limit the gateway is measured against: a raw-ASGI reverse proxy on aiohttp
with nothing else (no routing, auth, rate limit, header rules or logging), served like
the gateway (uvicorn, httptools, uvloop, one process).

Run: ``python bench/gateway/bare_proxy.py UPSTREAM_URL PORT``.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import uvicorn
from multidict import CIMultiDict
from starlette.types import Receive, Scope, Send
from yarl import URL


class BareProxy:
    def __init__(self, upstream: str) -> None:
        self._upstream = upstream
        self._session: aiohttp.ClientSession | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        assert self._session is not None
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        url = self._upstream + scope["raw_path"].decode("latin-1")
        if scope["query_string"]:
            url += "?" + scope["query_string"].decode("latin-1")
        headers = CIMultiDict(
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in scope["headers"]
            if name != b"host"
        )
        async with self._session.request(
            scope["method"], URL(url, encoded=True), headers=headers, data=body or None
        ) as response:
            payload = await response.read()
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status,
                    "headers": [
                        (name, value)
                        for name, value in response.raw_headers
                        if name.lower() not in (b"connection", b"transfer-encoding")
                    ],
                }
            )
            await send({"type": "http.response.body", "body": payload})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        async with self._opened():
            await receive()  # startup
            await send({"type": "lifespan.startup.complete"})
            await receive()  # shutdown
        await send({"type": "lifespan.shutdown.complete"})

    @asynccontextmanager
    async def _opened(self) -> AsyncIterator[None]:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), auto_decompress=False
        )
        try:
            yield
        finally:
            await self._session.close()


def main() -> None:
    upstream, port = sys.argv[1], int(sys.argv[2])
    options: dict[str, Any] = {"http": "httptools", "loop": "uvloop", "access_log": False}
    uvicorn.run(BareProxy(upstream), host="127.0.0.1", port=port, log_level="warning", **options)


if __name__ == "__main__":
    main()
