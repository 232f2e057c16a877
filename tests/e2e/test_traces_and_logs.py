"""What the people running the stack see: one trace from the edge to an event handler, and
log lines that are JSON, carry their ids and never a secret."""

from __future__ import annotations

import json
import re
import secrets
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from gateway_client import API, PASSWORD, create_article, grant_role
from otlp_sink import OtlpSink, ReceivedSpan
from stack_output import stack_lines
from websockets.sync.client import connect
from websockets.typing import Subprotocol

# dev/Procfile's processes that are not the platform's own (honcho names them "<name>.1").
MONITORING_PROCESSES = frozenset(
    {"prometheus", "pgbouncer_exporter", "postgres_exporter", "redis_exporter"}
)
# OTLP's SpanKind values.
SERVER, CONSUMER = 2, 5
DEMO_EMAIL = "alice@example.com"
DEMO_PASSWORD = "demo-password-123"  # dev/bin/prepare seeds the demo users with it


def traced_headers(trace_id: str, request_id: str) -> dict[str, str]:
    return {
        "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01",
        "x-request-id": request_id,
    }


def registered_user(client: httpx.Client, headers: dict[str, str] | None = None) -> tuple[str, str]:
    """A fresh user: their email and id."""
    email = f"observed-{uuid.uuid4().hex[:12]}@example.com"
    response = client.post(
        f"{API}/accounts/register/",
        json={"email": email, "password": PASSWORD, "display_name": "Observed"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return email, str(response.json()["id"])


def lineage(span: ReceivedSpan, spans: list[ReceivedSpan]) -> list[ReceivedSpan]:
    """``span`` and its ancestors among ``spans``, nearest first."""
    by_id = {candidate.span_id: candidate for candidate in spans}
    chain = [span]
    while chain[-1].parent_span_id in by_id:
        chain.append(by_id[chain[-1].parent_span_id])
    return chain


def test_one_trace_runs_from_a_gateway_request_to_the_event_handler(
    client: httpx.Client, otlp_sink: OtlpSink
) -> None:
    trace_id = secrets.token_hex(16)
    headers = traced_headers(trace_id, "trace-e2e-1")
    caller_span = headers["traceparent"].split("-")[2]

    registered_user(client, headers)

    def welcome_handler(spans: list[ReceivedSpan]) -> list[ReceivedSpan]:
        # notifications' welcome (content handles the event too, in a branch of its own).
        return [
            span
            for span in spans
            if (span.service, span.name) == ("notifications", "accounts.user.registered process")
        ]

    def reaches_the_gateway(spans: list[ReceivedSpan]) -> bool:
        # A parent span ends, and so is exported, after its children: wait for the line.
        handlers = welcome_handler(spans)
        return bool(handlers) and all(
            lineage(span, spans)[-1].service == "gateway" for span in handlers
        )

    spans = otlp_sink.wait_for(trace_id, reaches_the_gateway)
    handlers = welcome_handler(spans)
    assert handlers, sorted({(span.service, span.name) for span in spans})
    # notifications handles the event twice (the welcome, the contact projection): each
    # handler's trace runs back to the request.
    for handler in handlers:
        chain = lineage(handler, spans)
        steps = [(span.service, span.name, span.kind) for span in chain]
        # One unbroken line of parents from the handler up to the gateway's request span,
        # whose parent is the caller's span.
        assert (chain[-1].service, chain[-1].kind) == ("gateway", SERVER), steps
        assert chain[-1].parent_span_id == caller_span, steps
        names = [(span.service, span.name) for span in chain]
        assert ("notifications", "run/platform_common.events.consume") in names, steps
        assert ("accounts", "accounts.user.registered send") in names, steps  # the relay
        assert ("accounts", "accounts.user.registered publish") in names, steps  # the outbox
        assert any(span.service == "accounts" and span.kind == SERVER for span in chain), steps
        assert chain[0].kind == CONSUMER


def demo_flows(client: httpx.Client, stack: str) -> tuple[list[str], dict[str, str]]:
    """Register (an author), log in, refresh, publish, read notifications, use the
    WebSocket, log in a demo user; returns every secret and email the flows used, and the
    ids of traced requests (request id -> trace id)."""
    traced: dict[str, str] = {}

    def headers(request_id: str, **extra: str) -> dict[str, str]:
        traced[request_id] = secrets.token_hex(16)
        return {**traced_headers(traced[request_id], request_id), **extra}

    email, _ = registered_user(client, headers("flow-register"))
    grant_role(email, "author")  # to publish below; tokens carry the roles of their login
    login = client.post(
        f"{API}/accounts/token/",
        json={"email": email, "password": PASSWORD},
        headers=headers("flow-login"),
    )
    assert login.status_code == 200, login.text
    tokens = login.json()
    refreshed = client.post(
        f"{API}/accounts/token/refresh/",
        json={"refresh": tokens["refresh"]},
        headers=headers("flow-refresh"),
    )
    assert refreshed.status_code == 200, refreshed.text
    renewed = refreshed.json()
    auth = {"Authorization": f"Bearer {renewed['access']}"}
    create_article(client, {**auth, **headers("flow-article")}, "published")
    deadline = time.monotonic() + 20
    while True:
        inbox = client.get(f"{API}/notifications/", headers={**auth, **headers("flow-inbox")})
        assert inbox.status_code == 200, inbox.text
        if inbox.json()["results"] or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert inbox.json()["results"], "the welcome notification never arrived"
    url = stack.replace("http://", "ws://") + "/ws/notifications/"
    bearer = [Subprotocol("bearer"), Subprotocol(renewed["access"])]
    with connect(url, subprotocols=bearer, open_timeout=10) as socket:
        socket.send(json.dumps({"type": "ping"}))
        socket.recv(timeout=10)
    with connect(f"{url}?access_token={tokens['access']}", open_timeout=10) as socket:
        socket.send(json.dumps({"type": "ping"}))
        socket.recv(timeout=10)
    demo = client.post(
        f"{API}/accounts/token/", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    )
    assert demo.status_code == 200, demo.text
    secrets_used = [
        PASSWORD,
        DEMO_PASSWORD,
        email,
        DEMO_EMAIL,
        "bob@example.com",
        *(tokens["access"], tokens["refresh"], renewed["access"], renewed["refresh"]),
        *(demo.json()["access"], demo.json()["refresh"]),
    ]
    return secrets_used, traced


def test_every_line_is_json_with_its_ids_and_no_secret_reaches_any_output(
    client: httpx.Client, stack: str, stack_log: Path
) -> None:
    secrets_used, traced = demo_flows(client, stack)
    time.sleep(1.0)  # the last lines of the workers and relays

    lines = stack_lines(stack_log)
    output = "\n".join(line for _, line in lines)
    for secret in secrets_used:
        # A token is checked by its signature too, however a line cut it up.
        parts = {secret, secret.rsplit(".", 1)[-1]} if secret.count(".") == 2 else {secret}
        for part in parts:
            assert part not in output, f"{part[:12]}... reached the output"
    records: list[dict[str, Any]] = []
    not_json = []
    for process, line in lines:
        # Set-up output, and the monitoring programs the stack runs (Prometheus and the
        # exporters write their own logfmt; they are checked for secrets above, not for JSON).
        if process == "prepare" or process.partition(".")[0] in MONITORING_PROCESSES:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            not_json.append(f"{process}: {line}")
            continue
        assert isinstance(record, dict), line
        assert {"service", "level"} <= record.keys(), line
        records.append(record)
    assert not_json == []  # every line of every process is one JSON object
    for request_id, trace_id in traced.items():
        of_request = [record for record in records if record.get("request_id") == request_id]
        assert {record["service"] for record in of_request} >= {"gateway"}, request_id
        for record in of_request:
            assert record["trace_id"] == trace_id, record
            assert re.fullmatch(r"[0-9a-f]{16}", record["span_id"]), record
    services = {record["service"] for record in records}
    assert services >= {"gateway", "accounts", "content", "notifications"}, services
    signed_in = [
        record
        for record in records
        if record.get("request_id") == "flow-article" and record["service"] == "gateway"
    ]
    assert signed_in
    assert all(record["user_id"] for record in signed_in), signed_in
