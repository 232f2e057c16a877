"""Every panel of every dashboard works on real data.

The stack (dev/Procfile) runs the local Prometheus with the chart's rules and the data plane's
exporters. This test makes traffic through the gateway (users, an article, a 404, a
WebSocket exchange) and dead-letters a poison event at content's worker, waits for the
scrapes, then evaluates each panel query of the committed dashboards through Prometheus'
HTTP API, template variables substituted: each must parse and return data, except the
queries the generator (dev/observability/dashboards.py) marks cluster-only, with a reason.
"""

from __future__ import annotations

import json
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from gateway_client import API, create_article
from kombu import Connection, Producer
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from platform_common.events.topology import EVENTS_EXCHANGE, direct_routing_key
from platform_common.events.wire import EVENT_TYPE_HEADER, publish_task_message, task_message

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "dev" / "observability"))
import dashboards  # noqa: E402  (the generator: which queries are cluster-only, and why)
import rules  # noqa: E402

PROMETHEUS = "http://127.0.0.1:9090"
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"
DASHBOARDS_DIR = ROOT / "charts" / "platform" / "files" / "dashboards"
# What Grafana puts in place of the variables: a rate window of 4 local scrapes (5 s), and
# every service (the variable's "All", as the regex matcher `=~` reads it).
VARIABLES = {
    "$__rate_interval": "1m",
    "$service": "accounts|content|notifications|gateway",
}
DATA_TIMEOUT_S = 90.0


def substitute(expr: str) -> str:
    for name, value in VARIABLES.items():
        expr = expr.replace(name, value)
    assert "$" not in expr, f"a variable is left in {expr!r}"
    return expr


def panel_queries() -> list[tuple[str, str, str]]:
    """(dashboard uid, panel title, expression) of every target of every committed dashboard."""
    found = []
    for path in sorted(DASHBOARDS_DIR.glob("*.json")):
        document = json.loads(path.read_text())
        for panel in document["panels"]:
            for target in panel.get("targets", []):
                found.append((document["uid"], panel["title"], target["expr"]))
    return found


def query(http: httpx.Client, expr: str) -> dict[str, Any]:
    response = http.get(f"{PROMETHEUS}/api/v1/query", params={"query": expr})
    body: dict[str, Any] = response.json()
    return body


def publish_poison_event() -> None:
    """A task message whose argument is no envelope: content's worker dead-letters it."""
    message = task_message(
        task_id=str(uuid.uuid4()),
        args=[{"type": "accounts.user.registered", "data": "not an envelope"}],
        origin="e2e-observability",
        extra_headers={EVENT_TYPE_HEADER: "accounts.user.registered"},
    )
    with (
        Connection(AMQP_URL, transport_options={"confirm_publish": True}) as connection,
        connection.channel() as channel,
    ):
        publish_task_message(
            Producer(channel),
            message,
            exchange=EVENTS_EXCHANGE,
            routing_key=direct_routing_key("content"),
        )


@pytest.fixture(scope="module")
def traffic(
    stack: str,
    client: httpx.Client,
    reader: tuple[dict[str, Any], dict[str, str]],
    author: dict[str, str],
) -> None:
    """Requests of every kind, an error, a WebSocket exchange and a dead-lettered event."""
    create_article(client, author, "published")
    assert client.get(f"{API}/content/articles/").status_code == 200
    assert client.get(f"{API}/content/articles/{uuid.uuid4()}/").status_code == 404
    token = reader[1]["Authorization"].removeprefix("Bearer ")
    url = stack.replace("http://", "ws://") + "/ws/notifications/"
    with connect(url, subprotocols=[Subprotocol("bearer"), Subprotocol(token)]) as socket:
        socket.send(json.dumps({"type": "ping"}))
        socket.recv(timeout=10)
        publish_poison_event()
        # Held open across a few scrapes, so the open-connection gauges are seen above 0.
        time.sleep(12)


def test_prometheus_loaded_the_charts_rules(stack: str) -> None:
    with httpx.Client(timeout=10.0) as http:
        groups = http.get(f"{PROMETHEUS}/api/v1/rules").json()["data"]["groups"]
    loaded = {
        rule["name"] for group in groups for rule in group["rules"] if rule["type"] == "alerting"
    }
    assert loaded == set(rules.alert_names())
    assert len(groups) == len(rules.rule_groups()["groups"])


def test_every_local_target_is_scraped(stack: str, traffic: None) -> None:
    with httpx.Client(timeout=10.0) as http:
        targets = http.get(f"{PROMETHEUS}/api/v1/targets").json()["data"]["activeTargets"]
    jobs = {target["labels"]["job"] for target in targets}
    processes = {"gateway", "web", "worker", "relay"}
    assert jobs == processes | {"pgbouncer", "postgres", "rabbitmq", "redis"}
    assert len(targets) == 1 + 3 + 3 + 3 + 1 + 1 + 1 + 7
    down = [
        (target["scrapeUrl"], target["lastError"]) for target in targets if target["health"] != "up"
    ]
    assert down == []


def test_every_panel_query_returns_data(stack: str, traffic: None) -> None:
    cluster_only = dashboards.cluster_only()
    every = panel_queries()
    to_check = [(uid, title, expr) for uid, title, expr in every if expr not in cluster_only]
    assert len(every) - len(to_check) == len(cluster_only)
    assert len(to_check) > 50
    pending = {substitute(expr): (uid, title) for uid, title, expr in to_check}
    failures: dict[str, str] = {}
    deadline = time.monotonic() + DATA_TIMEOUT_S
    with httpx.Client(timeout=10.0) as http:
        while pending:
            for expr in list(pending):
                body = query(http, expr)
                if body.get("status") != "success":
                    failures[expr] = f"does not parse: {body.get('error')}"
                    del pending[expr]
                elif body["data"]["result"]:
                    del pending[expr]
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(5)
    failures.update({expr: "no data" for expr in pending})
    report = "\n".join(
        f"{uid} / {title}: {reason}\n    {expr}"
        for expr, reason in failures.items()
        for uid, title in [next((u, t) for u, t, e in to_check if substitute(e) == expr)]
    )
    assert failures == {}, f"{len(failures)} of {len(to_check)} queries fail:\n{report}"


def known_to_prometheus(http: httpx.Client, name: str) -> bool:
    """A series of that name exists, or a scrape declared it (a counter nothing has
    incremented yet has no series, only its # HELP/# TYPE lines)."""
    if query(http, f'count({{__name__="{name}"}})')["data"]["result"]:
        return True
    # Metadata is kept per family: OpenMetrics names a counter without its _total suffix.
    families = {name, re.sub(r"_(bucket|count|sum|total)$", "", name)}
    return any(
        http.get(f"{PROMETHEUS}/api/v1/metadata", params={"metric": family}).json()["data"]
        for family in families
    )


def test_every_series_a_panel_reads_is_known(stack: str, traffic: None) -> None:
    # The zero-filled queries ("... or 0 * total") return data even for a misspelled name.
    cluster_only = dashboards.cluster_only()
    names = {
        name
        for _, _, expr in panel_queries()
        if expr not in cluster_only
        for name in dashboards.metric_names(expr)
    }
    assert len(names) > 40
    with httpx.Client(timeout=10.0) as http:
        unknown = sorted(name for name in names if not known_to_prometheus(http, name))
    assert unknown == []


def test_cluster_only_queries_name_kubernetes_series(stack: str) -> None:
    # Only series no local process can have: kube-state-metrics and the kubelet's cAdvisor.
    marked = dashboards.cluster_only()
    assert marked
    with httpx.Client(timeout=10.0) as http:
        for expr in marked:
            body = query(http, substitute(expr))
            assert body["status"] == "success", (expr, body)
            assert body["data"]["result"] == [], expr
