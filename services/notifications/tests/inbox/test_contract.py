"""The API answers as its own OpenAPI document says, for valid and invalid input alike."""

import uuid

import pytest
import uvicorn
from django.db import connections

from notifications.inbox.services import notification_create
from platform_common.testing.contract import run_contract
from platform_common.testing.jwt import MakeToken


def test_the_api_honours_its_openapi_document(
    uvicorn_server: uvicorn.Server, make_token: MakeToken, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server's worker thread closes its connection after each request, so the test
    # database can be dropped at the end of the run.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    user_id = uuid.uuid4()
    for index in range(3):
        notification_create(user_id=user_id, kind="welcome", title=f"Hello {index}")
    port = uvicorn_server.servers[0].sockets[0].getsockname()[1]

    result = run_contract(
        f"http://127.0.0.1:{port}/api/v1/notifications/schema/", token=make_token(sub=user_id)
    )

    assert result.returncode == 0, result.stdout[-20000:]
