from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import httpx
import pytest

from gateway.config import Settings
from tests.conftest import MakeToken, StartGateway, bearer
from tests.servers import closed_port


async def test_each_request_is_one_json_line_with_its_request_id(
    start_gateway: StartGateway, capsys: pytest.CaptureFixture[str]
) -> None:
    async with start_gateway(access_log=True) as url, httpx.AsyncClient(base_url=url) as client:
        await client.get(
            "/api/v1/content/articles/",
            headers={
                "x-request-id": "log-1",
                "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                "authorization": "Bearer secret.token.value",
            },
        )

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    access = [line for line in lines if line.get("logger") == "gateway.access"]
    assert len(access) == 1
    assert access[0]["request_id"] == "log-1"
    assert access[0]["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert access[0]["service"] == "gateway"
    assert access[0]["method"] == "GET"
    assert access[0]["path"] == "/api/v1/content/articles/"
    assert access[0]["status"] == 401
    assert "secret.token.value" not in json.dumps(lines)


async def test_no_token_reaches_the_gateway_process_output(
    settings: Settings, make_token: MakeToken, tmp_path: Path
) -> None:
    accepted, refused, header, query, ws_header, subprotocol = (make_token() for _ in range(6))
    output = tmp_path / "gateway.log"
    async with run_gateway_process(settings, output) as url:
        async with aiohttp.ClientSession() as session:
            ws_url = url.replace("http://", "ws://") + "/ws/notifications/"
            async with session.ws_connect(f"{ws_url}?access_token={accepted}") as ws:
                await ws.receive()
            with pytest.raises(aiohttp.WSServerHandshakeError):
                await session.ws_connect(f"{ws_url}?access_token={refused}.forged")
            async with session.ws_connect(ws_url, headers=bearer(ws_header)) as ws:
                await ws.receive()
            async with session.ws_connect(ws_url, protocols=["bearer", subprotocol]) as ws:
                await ws.receive()
            async with session.ws_connect(f"{ws_url}?ticket=single-use-ticket-value") as ws:
                await ws.receive()
        async with httpx.AsyncClient(base_url=url) as client:
            await client.get("/api/v1/content/articles/", headers=bearer(header))
            await client.get(f"/api/v1/content/articles/?access_token={query}")
            await client.get("/api/v1/nowhere/", headers=bearer(header + "x"))

    logged = output.read_text()
    assert "/ws/notifications/" in logged  # the handshakes were logged, without their query
    assert "/api/v1/content/articles/" in logged
    assert '"level": "ERROR"' not in logged  # a refused handshake is no server error
    for token in (accepted, refused, header, query, ws_header, subprotocol):
        for part in token.split("."):
            assert part not in logged
    assert "single-use-ticket-value" not in logged


@contextlib.asynccontextmanager
async def run_gateway_process(settings: Settings, output: Path) -> AsyncIterator[str]:
    """``python -m gateway`` as a separate process, its stdout and stderr into ``output``."""
    port = closed_port()
    environ = {
        **os.environ,
        "UPSTREAM_ACCOUNTS": settings.upstreams["accounts"],
        "UPSTREAM_CONTENT": settings.upstreams["content"],
        "UPSTREAM_NOTIFICATIONS": settings.upstreams["notifications"],
        "REDIS_CLUSTER_URL": settings.redis_cluster_url,
        "JWT_ISSUER": settings.jwt_issuer,
        "JWT_AUDIENCE": settings.jwt_audience,
        "JWKS_URL": settings.jwks_url,
        "GATEWAY_PROXY_SECRET": settings.proxy_secret,
        "RATE_LIMIT_KEY_PREFIX": settings.rate_limit_key_prefix,
        "LOG_LEVEL": "DEBUG",
    }
    with output.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "gateway",
            "--port",
            str(port),
            env=environ,
            stdout=sink,
            stderr=asyncio.subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient(base_url=url) as client:
                for _ in range(200):
                    with contextlib.suppress(httpx.TransportError):
                        if (await client.get("/healthz")).status_code == 200:
                            break
                    await asyncio.sleep(0.05)
            yield url
        finally:
            process.terminate()
            await process.wait()
