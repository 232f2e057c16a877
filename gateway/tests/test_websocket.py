from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
import websockets

from tests.conftest import MakeToken, StartGateway, Upstreams, bearer, ws_url
from tests.servers import closed_port


@contextlib.asynccontextmanager
async def connected(gateway: str, token: str) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A socket through the gateway, past the upstream's hello."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(ws_url(gateway, "/ws/notifications/"), headers=bearer(token)) as ws,
    ):
        await ws.receive()
        yield ws


async def test_frames_flow_both_ways_with_path_query_and_subprotocol(
    gateway: str, make_token: MakeToken
) -> None:
    token = make_token()
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            ws_url(gateway, "/ws/notifications/?since=5"),
            headers={"authorization": f"Bearer {token}", "x-request-id": "ws-1", "x-user-id": "x"},
            protocols=["notifications.v1"],
        ) as ws,
    ):
        hello = json.loads((await ws.receive()).data)
        await ws.send_str("ping")
        text = await ws.receive()
        await ws.send_bytes(b"\x00\x01")
        binary = await ws.receive()

    assert ws.protocol == "notifications.v1"
    assert hello["path"] == "/ws/notifications/"
    assert hello["query"] == "since=5"
    assert hello["headers"]["authorization"] == f"Bearer {token}"
    assert hello["headers"]["x-request-id"] == "ws-1"
    assert hello["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert "x-user-id" not in hello["headers"]
    assert (text.type, text.data) == (aiohttp.WSMsgType.TEXT, "ping")
    assert (binary.type, binary.data) == (aiohttp.WSMsgType.BINARY, b"\x00\x01")


async def test_no_compression_is_negotiated_so_an_idle_socket_holds_no_zlib_state(
    gateway: str, make_token: MakeToken
) -> None:
    # The websockets client offers permessage-deflate, as browsers do.
    async with websockets.connect(
        ws_url(gateway, "/ws/notifications/"), additional_headers=bearer(make_token())
    ) as ws:
        hello = json.loads(await ws.recv())

    assert ws.response is not None
    assert "Sec-WebSocket-Extensions" not in ws.response.headers
    # Nor on the hop to the service (aiohttp's client offers none).
    assert "sec-websocket-extensions" not in hello["headers"]


async def test_token_may_come_in_the_query_string(gateway: str, make_token: MakeToken) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            ws_url(gateway, f"/ws/notifications/?access_token={make_token()}")
        ) as ws,
    ):
        hello = json.loads((await ws.receive()).data)

    assert hello["query"].startswith("access_token=")


async def test_a_ticket_handshake_passes_without_a_token_for_the_service_to_redeem(
    gateway: str, make_token: MakeToken
) -> None:
    # Even next to a forged token: the ticket decides alone, as at the service.
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            ws_url(gateway, "/ws/notifications/?since=2&ticket=t-1"),
            protocols=["bearer", "forged"],
        ) as ws,
    ):
        hello = json.loads((await ws.receive()).data)

    assert hello["query"] == "since=2&ticket=t-1"
    assert "authorization" not in hello["headers"]


async def test_token_may_come_as_the_bearer_subprotocol(
    gateway: str, make_token: MakeToken
) -> None:
    token = make_token()
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            ws_url(gateway, "/ws/notifications/"), protocols=["bearer", token]
        ) as ws,
    ):
        hello = json.loads((await ws.receive()).data)

    assert ws.protocol == "bearer"
    assert "authorization" not in hello["headers"]


async def test_a_forged_subprotocol_token_is_refused_at_the_edge(gateway: str) -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(
                ws_url(gateway, "/ws/notifications/"), protocols=["bearer", "forged"]
            )

    assert refused.value.status == 401


async def test_upstream_close_code_reaches_the_client(gateway: str, make_token: MakeToken) -> None:
    async with connected(gateway, make_token()) as ws:
        await ws.send_str("close:4403")
        closing = await ws.receive()

    assert closing.type is aiohttp.WSMsgType.CLOSE
    assert ws.close_code == 4403
    assert closing.extra == "bye"


async def test_client_close_code_reaches_the_upstream(
    gateway: str, upstreams: Upstreams, make_token: MakeToken
) -> None:
    async with connected(gateway, make_token()) as ws:
        await ws.close(code=4000)
        await upstreams.close_log.closed.wait()

    assert upstreams.close_log.codes == [4000]


async def test_handshake_without_token_is_refused_with_a_problem(gateway: str) -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(ws_url(gateway, "/ws/notifications/"))

    assert refused.value.status == 401


async def test_handshake_to_a_down_upstream_is_refused_with_503(
    start_gateway: StartGateway, settings_upstreams: dict[str, str], make_token: MakeToken
) -> None:
    down = {**settings_upstreams, "notifications": f"http://127.0.0.1:{closed_port()}"}

    async with start_gateway(upstreams=down) as url, aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(
                ws_url(url, "/ws/notifications/"),
                headers={"authorization": f"Bearer {make_token()}"},
            )

    assert refused.value.status == 503
    assert refused.value.headers is not None
    assert refused.value.headers["retry-after"] == "5"


async def test_websocket_outside_the_notifications_prefix_is_refused(
    gateway: str, make_token: MakeToken
) -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(
                ws_url(gateway, "/api/v1/content/articles/"),
                headers={"authorization": f"Bearer {make_token()}"},
            )

    assert refused.value.status == 404
