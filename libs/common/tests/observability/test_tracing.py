"""OpenTelemetry in a Django process: the request's span, its database spans, its log lines."""

import logging
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from rest_framework.test import APIClient

from tests.observability.conftest import JsonLines
from tests.spans import SPANS

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE}-00f067aa0ba902b7-01"


@pytest.fixture
def spans() -> Iterator[None]:
    SPANS.clear()
    yield
    SPANS.clear()


def finished_spans() -> list[ReadableSpan]:
    return list(SPANS.get_finished_spans())


@pytest.mark.django_db
def test_a_request_continues_the_callers_trace_down_to_its_queries(
    api_client: APIClient, spans: None
) -> None:
    api_client.get("/api/notes/", HTTP_TRACEPARENT=TRACEPARENT)

    recorded = finished_spans()
    [server] = [span for span in recorded if span.kind is trace.SpanKind.SERVER]
    assert server.context is not None
    assert server.parent is not None
    assert trace.format_trace_id(server.context.trace_id) == TRACE
    assert trace.format_span_id(server.parent.span_id) == "00f067aa0ba902b7"
    queries = [span for span in recorded if span.attributes and "db.statement" in span.attributes]
    assert queries, [span.name for span in recorded]
    assert all(
        span.parent is not None and span.parent.span_id == server.context.span_id
        for span in queries
    )


def test_every_log_line_of_a_request_carries_its_trace_span_and_request_ids(
    api_client: APIClient, json_logs: JsonLines, spans: None
) -> None:
    api_client.get(
        "/api/errors/unhandled/", HTTP_TRACEPARENT=TRACEPARENT, HTTP_X_REQUEST_ID="req-9"
    )

    [server] = [span for span in finished_spans() if span.kind is trace.SpanKind.SERVER]
    assert server.context is not None
    lines = [line for line in json_logs() if line.get("request_id") == "req-9"]
    assert lines
    for line in lines:
        assert line["trace_id"] == TRACE
        assert line["span_id"] == trace.format_span_id(server.context.span_id)


def test_log_lines_outside_any_span_carry_no_trace_ids(json_logs: JsonLines) -> None:
    logging.getLogger("idle").info("nothing traced")

    [line] = json_logs()
    assert line["trace_id"] is None
    assert line["span_id"] is None
