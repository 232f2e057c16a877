"""The real logging config: its stdout handler's output parsed as JSON lines."""

import json
import logging

from platform_common.observability.logging import REDACTED, request_id_var
from tests.observability.conftest import JsonLines


def test_log_line_is_json_with_service_level_logger_and_request_id(json_logs: JsonLines) -> None:
    token = request_id_var.set("req-42")
    try:
        logging.getLogger("orders").info("order %s placed", 7, extra={"order_id": 7})
    finally:
        request_id_var.reset(token)

    [line] = json_logs()
    assert line["message"] == "order 7 placed"
    assert line["level"] == "INFO"
    assert line["logger"] == "orders"
    assert line["service"] == "svc-under-test"
    assert line["request_id"] == "req-42"
    assert line["order_id"] == 7
    assert "timestamp" in line


def test_secret_looking_extras_are_redacted_even_when_nested(json_logs: JsonLines) -> None:
    logging.getLogger("auth").warning(
        "login",
        extra={
            "password": "hunter2",
            "Authorization": "Bearer abc",
            "payload": {"refresh_token": "r", "email": "a@example.com"},
        },
    )

    [line] = json_logs()
    assert line["password"] == REDACTED
    assert line["Authorization"] == REDACTED
    assert line["payload"] == {"refresh_token": REDACTED, "email": "a***@example.com"}
    assert "hunter2" not in json.dumps(line)


def test_below_level_is_dropped(json_logs: JsonLines) -> None:
    logging.getLogger("noisy").debug("details")

    assert json_logs() == []
