import uuid

import pytest
from django.test import AsyncClient
from rest_framework.test import APIClient

from platform_common.observability.middleware import choose_request_id
from tests.observability.conftest import JsonLines


def test_sane_incoming_request_id_is_kept_and_echoed(api_client: APIClient) -> None:
    response = api_client.get("/healthz", HTTP_X_REQUEST_ID="gw-1234.abc_DEF")

    assert response["X-Request-ID"] == "gw-1234.abc_DEF"


def test_missing_request_id_is_minted(api_client: APIClient) -> None:
    response = api_client.get("/healthz")

    assert uuid.UUID(hex=response["X-Request-ID"]).version == 4


@pytest.mark.parametrize("incoming", ["", "has space", "line\nbreak", "x" * 129, 'quote"', "é"])
def test_unsafe_incoming_request_id_is_replaced(incoming: str) -> None:
    chosen = choose_request_id(incoming)

    assert chosen != incoming
    assert uuid.UUID(hex=chosen)


def test_problem_bodies_carry_the_request_id(api_client: APIClient) -> None:
    response = api_client.get("/no/such/path/", HTTP_X_REQUEST_ID="trace-me")

    assert response.json()["request_id"] == "trace-me"


async def test_request_id_and_problems_work_under_asgi(async_client: AsyncClient) -> None:
    response = await async_client.get("/no/such/path/", headers={"X-Request-ID": "asgi-1"})

    assert response["X-Request-ID"] == "asgi-1"
    assert response.json()["request_id"] == "asgi-1"


async def test_body_limit_holds_under_asgi(async_client: AsyncClient) -> None:
    response = await async_client.post(
        "/healthz", "x" * 5000, content_type="application/octet-stream"
    )

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_log_lines_of_a_request_carry_its_ids_and_continue_its_trace(
    api_client: APIClient, json_logs: JsonLines
) -> None:
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"

    api_client.get(
        "/api/errors/unhandled/",
        HTTP_TRACEPARENT=f"00-{trace}-00f067aa0ba902b7-01",
        HTTP_X_REQUEST_ID="req-7",
    )

    [line] = [line for line in json_logs() if line["logger"] == "platform_common.api.errors"]
    assert (line["request_id"], line["trace_id"]) == ("req-7", trace)
    assert "hunter2" in line["exc_info"]  # the traceback stays in logs, never in responses


def test_request_without_traceparent_starts_a_new_trace(
    api_client: APIClient, json_logs: JsonLines
) -> None:
    api_client.get("/api/errors/unhandled/", HTTP_TRACEPARENT="garbage")

    [line] = [line for line in json_logs() if line["logger"] == "platform_common.api.errors"]
    assert len(line["trace_id"]) == 32
