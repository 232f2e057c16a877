"""The Prometheus rule groups of the platform: SLO recording rules and every alert.

Written to charts/platform/files/prometheus/rules.yaml by generate.py; the chart renders that
file into its PrometheusRule and the local Prometheus (make up) loads the same file.
Each alert's runbook is docs/runbooks/<alert>.md (a test checks every one exists).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The SLOs, per service (every service labels its RED series with `service`).
AVAILABILITY_OBJECTIVE = 0.999  # non-5xx answers
LATENCY_OBJECTIVE = 0.99  # answers faster than LATENCY_THRESHOLD_SECONDS
LATENCY_THRESHOLD_SECONDS = "0.5"  # a bucket boundary of http_request_duration_seconds
SLO_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")

# Thresholds of the non-SLO alerts.
OUTBOX_MAX_AGE_SECONDS = 300
QUEUE_DEPTH_FLOOR = 100
PGBOUNCER_WAITING_FOR = "5m"
POSTGRES_CONNECTIONS_RATIO = 0.8

RUNBOOKS = "docs/runbooks"


@dataclass(frozen=True)
class BurnWindow:
    """A multi-window burn-rate condition (The SRE Workbook, chapter 5)."""

    long: str
    short: str
    factor: float


# Page: 2% of a 30-day budget in an hour, or 5% in six hours.
FAST_BURN = (BurnWindow("1h", "5m", 14.4), BurnWindow("6h", "30m", 6))
# Ticket: 10% of the budget in three days, or in one day at three times the rate.
SLOW_BURN = (BurnWindow("1d", "2h", 3), BurnWindow("3d", "6h", 1))


@dataclass(frozen=True)
class Slo:
    name: str  # alert name stem
    record: str  # recording rule stem: service:<record>:ratio_rate<window>
    what: str  # what counts as bad, for people
    objective: float
    bad_ratio: str  # PromQL template with {window}

    def recorded(self, window: str) -> str:
        return f"service:{self.record}:ratio_rate{window}"


SLOS = (
    Slo(
        name="ServiceAvailability",
        record="http_request_errors",
        what="5xx answers",
        objective=AVAILABILITY_OBJECTIVE,
        # "or 0 * total": a service without errors has a ratio of 0, not no series.
        bad_ratio=(
            '(\n  sum by (service) (rate(http_requests_total{{status=~"5.."}}[{window}]))\n'
            "  or 0 * sum by (service) (rate(http_requests_total[{window}]))\n)\n"
            "/\n"
            "sum by (service) (rate(http_requests_total[{window}]))"
        ),
    ),
    Slo(
        name="ServiceLatency",
        record="http_request_slow",
        what=f"answers slower than {LATENCY_THRESHOLD_SECONDS} s",
        objective=LATENCY_OBJECTIVE,
        bad_ratio=(
            "1 - (\n"
            "  sum by (service) (rate(http_request_duration_seconds_bucket"
            f'{{{{le="{LATENCY_THRESHOLD_SECONDS}"}}}}[{{window}}]))\n'
            "  /\n"
            "  sum by (service) (rate(http_request_duration_seconds_count[{window}]))\n"
            ")"
        ),
    ),
)


def alert(
    name: str,
    *,
    expr: str,
    for_: str,
    severity: str,
    summary: str,
    description: str,
) -> dict[str, Any]:
    rule: dict[str, Any] = {"alert": name, "expr": expr}
    if for_:
        rule["for"] = for_
    rule["labels"] = {"severity": severity}
    rule["annotations"] = {
        "summary": summary,
        "description": description,
        "runbook_url": f"{RUNBOOKS}/{name}.md",
    }
    return rule


def slo_recording_rules() -> list[dict[str, Any]]:
    return [
        {"record": slo.recorded(window), "expr": slo.bad_ratio.format(window=window)}
        for slo in SLOS
        for window in SLO_WINDOWS
    ]


def burn_condition(slo: Slo, windows: tuple[BurnWindow, ...]) -> str:
    budget = round(1 - slo.objective, 6)
    terms = [
        f"(\n  {slo.recorded(w.long)} > ({w.factor} * {budget})\n"
        f"  and\n  {slo.recorded(w.short)} > ({w.factor} * {budget})\n)"
        for w in windows
    ]
    return "\nor\n".join(terms)


def slo_alerts() -> list[dict[str, Any]]:
    rules = []
    for slo in SLOS:
        target = f"{slo.objective * 100:g}%"
        for speed, windows, severity, for_ in (
            ("Fast", FAST_BURN, "critical", "2m"),
            ("Slow", SLOW_BURN, "warning", "1h"),
        ):
            spans = " or ".join(f"{w.long}/{w.short} at {w.factor:g}x" for w in windows)
            rules.append(
                alert(
                    f"{slo.name}BurnRate{speed}",
                    expr=burn_condition(slo, windows),
                    for_=for_,
                    severity=severity,
                    summary=(
                        f"{{{{ $labels.service }}}} burns its {slo.name.removeprefix('Service')}"
                        f" error budget {speed.lower()}"
                    ),
                    description=(
                        f"{{{{ $labels.service }}}}: {slo.what} exceed the {target} SLO's "
                        f"budget ({spans}); now {{{{ $value | humanizePercentage }}}} bad."
                    ),
                )
            )
    return rules


def event_alerts() -> list[dict[str, Any]]:
    return [
        alert(
            "EventsOutboxLagging",
            expr=f"max by (service) (events_outbox_oldest_age_seconds) > {OUTBOX_MAX_AGE_SECONDS}",
            for_="5m",
            severity="critical",
            summary="{{ $labels.service }}: outbox events wait to be published",
            description=(
                "The oldest unpublished outbox row of {{ $labels.service }} is "
                "{{ $value | humanizeDuration }} old: its relay is down or cannot reach "
                "RabbitMQ, and no other service sees its events."
            ),
        ),
        alert(
            "EventsDeadLetterNotEmpty",
            expr="max by (service) (events_dead_letter_parked) > 0",
            for_="1m",
            severity="warning",
            summary="{{ $labels.service }}: dead-lettered events wait for a decision",
            description=(
                "{{ $value }} event(s) of {{ $labels.service }} are parked as dead letters: "
                "inspect, fix the cause and replay or drop them."
            ),
        ),
        alert(
            "EventsConsumerDown",
            expr=r'max by (queue) (rabbitmq_queue_consumers{queue=~"[a-z]+\\.events"}) == 0',
            for_="5m",
            severity="critical",
            summary="{{ $labels.queue }} has no consumer",
            description=(
                "No worker consumes {{ $labels.queue }}: its events pile up in RabbitMQ "
                "and nothing the service subscribes to is applied."
            ),
        ),
        alert(
            "EventsQueueDepthGrowing",
            expr=(
                f"max by (service, queue) (events_consumer_lag_messages) > {QUEUE_DEPTH_FLOOR}\n"
                "and\n"
                "max by (service, queue) (delta(events_consumer_lag_messages[15m])) > 0"
            ),
            for_="15m",
            severity="warning",
            summary="{{ $labels.queue }} keeps growing",
            description=(
                "{{ $value }} messages wait in {{ $labels.queue }} and the backlog grew over "
                "the last 15 minutes: {{ $labels.service }}'s workers do not keep up."
            ),
        ),
    ]


def kubernetes_alerts() -> list[dict[str, Any]]:
    return [
        alert(
            "PodCrashLooping",
            expr=(
                "max by (namespace, pod, container) ("
                'kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}) == 1'
            ),
            for_="10m",
            severity="critical",
            summary=(
                "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) crash-loops"
            ),
            description=(
                "Container {{ $labels.container }} of {{ $labels.pod }} keeps exiting and "
                "Kubernetes backs off restarting it."
            ),
        ),
    ]


def data_plane_alerts() -> list[dict[str, Any]]:
    return [
        alert(
            "PgBouncerClientsWaiting",
            expr="sum by (database) (pgbouncer_waiting_clients) > 0",
            for_=PGBOUNCER_WAITING_FOR,
            severity="warning",
            summary="PgBouncer pool {{ $labels.database }} is saturated",
            description=(
                "{{ $value }} client(s) of {{ $labels.database }} have waited for a server "
                "connection for " + PGBOUNCER_WAITING_FOR + ": every pooled connection is busy."
            ),
        ),
        alert(
            "PostgresConnectionsSaturated",
            expr=(
                "sum by (instance) (pg_stat_database_numbackends)\n"
                "/\n"
                f"max by (instance) (pg_settings_max_connections) > {POSTGRES_CONNECTIONS_RATIO}"
            ),
            for_="5m",
            severity="warning",
            summary="Postgres {{ $labels.instance }} is near max_connections",
            description=(
                "{{ $value | humanizePercentage }} of max_connections are in use on "
                "{{ $labels.instance }}: new connections will soon be refused."
            ),
        ),
    ]


def rule_groups() -> dict[str, Any]:
    return {
        "groups": [
            {"name": "platform-slo-recording", "rules": slo_recording_rules()},
            {"name": "platform-slo-alerts", "rules": slo_alerts()},
            {"name": "platform-events", "rules": event_alerts()},
            {"name": "platform-kubernetes", "rules": kubernetes_alerts()},
            {"name": "platform-data-plane", "rules": data_plane_alerts()},
        ]
    }


def alert_names() -> list[str]:
    return [
        rule["alert"]
        for group in rule_groups()["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]
