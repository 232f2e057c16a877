import pytest
from opentelemetry import trace

from gateway.trace_ids import enter_trace, leave_trace

CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"


def current_ids() -> tuple[str, str]:
    span = trace.get_current_span().get_span_context()
    return trace.format_trace_id(span.trace_id), trace.format_span_id(span.span_id)


def test_a_valid_traceparent_is_continued_below_a_new_span() -> None:
    token = enter_trace(f"00-{CALLER_TRACE}-b7ad6b7169203331-01".encode())
    try:
        trace_id, span_id = current_ids()
    finally:
        leave_trace(token)

    assert trace_id == CALLER_TRACE
    assert span_id not in ("b7ad6b7169203331", "0" * 16)
    assert not trace.get_current_span().get_span_context().is_valid


@pytest.mark.parametrize(
    "traceparent",
    [
        None,
        b"garbage",
        f"ff-{CALLER_TRACE}-b7ad6b7169203331-01".encode(),  # version ff is invalid
        f"00-{'0' * 32}-b7ad6b7169203331-01".encode(),  # zero trace id
        f"00-{CALLER_TRACE}-{'0' * 16}-01".encode(),  # zero parent id
        f"00-{CALLER_TRACE}-b7ad6b7169203331-01-extra".encode(),  # version 00 has 4 fields
        f"00-{CALLER_TRACE.upper()}-b7ad6b7169203331-01".encode(),  # lower-case hex only
    ],
)
def test_a_missing_or_invalid_traceparent_starts_a_new_trace(traceparent: bytes | None) -> None:
    token = enter_trace(traceparent)
    try:
        trace_id, span_id = current_ids()
    finally:
        leave_trace(token)

    assert trace_id not in (CALLER_TRACE, "0" * 32)
    assert len(trace_id) == 32
    assert span_id != "0" * 16


def test_a_later_version_may_carry_more_fields() -> None:
    token = enter_trace(f"01-{CALLER_TRACE}-b7ad6b7169203331-01-extra".encode())
    try:
        trace_id, _ = current_ids()
    finally:
        leave_trace(token)

    assert trace_id == CALLER_TRACE
