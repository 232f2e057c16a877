from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import StartGateway


async def test_each_request_is_one_json_line_with_its_request_id(
    start_gateway: StartGateway, capsys: pytest.CaptureFixture[str]
) -> None:
    async with start_gateway(access_log=True) as url, httpx.AsyncClient(base_url=url) as client:
        await client.get(
            "/api/content/articles/",
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
    assert access[0]["path"] == "/api/content/articles/"
    assert access[0]["status"] == 401
    assert "secret.token.value" not in json.dumps(lines)
