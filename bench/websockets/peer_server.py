"""The peer: a minimal ``websockets`` server with the same pattern and nothing else. A
client connects to ``/?user=<n>``; the writer connects to ``/publish`` and sends
``{"to": n, "title": ...}`` frames, each forwarded to user n's socket as the platform frames
a notification. No authentication, no database, no channel layer."""

from __future__ import annotations

import asyncio
import json
import sys
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve

sockets: dict[str, ServerConnection] = {}


async def handle(socket: ServerConnection) -> None:
    assert socket.request is not None
    target = urlsplit(socket.request.path)
    if target.path == "/publish":
        async for frame in socket:
            message = json.loads(frame)
            receiver = sockets.get(str(message["to"]))
            if receiver is not None:
                notification = {"kind": "bench", "title": message["title"]}
                await receiver.send(
                    json.dumps({"type": "notification.created", "notification": notification})
                )
        return
    user = parse_qs(target.query)["user"][0]
    sockets[user] = socket
    try:
        await socket.wait_closed()
    finally:
        sockets.pop(user, None)


async def main(port: int) -> None:
    async with serve(handle, "127.0.0.1", port) as server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
