"""The Grafana dashboards of the platform, built with grafana-foundation-sdk.

generate.py writes each one to charts/platform/files/dashboards/<uid>.json; the platform
chart ships them as ConfigMaps for the Grafana sidecar of kube-prometheus-stack. Every
panel queries the `${datasource}` variable. A query whose series exist only in a cluster
(kube-state-metrics, the kubelet's cAdvisor) carries the reason: the test that evaluates
every panel query against a local Prometheus skips those and only those.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from grafana_foundation_sdk.builders import common as viz
from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.builders import prometheus, stat, timeseries
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models.common import (
    GraphDrawStyle,
    LegendDisplayMode,
    LegendPlacement,
)
from rules import AVAILABILITY_OBJECTIVE, LATENCY_OBJECTIVE, SLOS

RATE = "$__rate_interval"
DATASOURCE = model.DataSourceRef(type_val="prometheus", uid="${datasource}")
KUBE_STATE_METRICS = "kube-state-metrics runs only in a cluster"
CADVISOR = "container metrics come from the kubelet's cAdvisor, only in a cluster"
PANEL_WIDTH = 12
PANEL_HEIGHT = 8
# The services with RED series (the gateway is one of them).
SERVICE_VALUES = "label_values(http_requests_total, service)"


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str
    cluster_only: str = ""  # why no local Prometheus has this series


@dataclass(frozen=True)
class Panel:
    title: str
    description: str
    queries: tuple[Query, ...]
    unit: str = "short"
    kind: Literal["timeseries", "stat"] = "timeseries"


@dataclass(frozen=True)
class Dashboard:
    uid: str
    title: str
    description: str
    rows: tuple[tuple[str, tuple[Panel, ...]], ...]
    service_variable: bool = False
    tags: tuple[str, ...] = field(default=("platform",))


def q(expr: str, legend: str, *, cluster_only: str = "") -> Query:
    return Query(expr=expr, legend=legend, cluster_only=cluster_only)


def panel(
    title: str,
    description: str,
    *queries: Query,
    unit: str = "short",
    kind: Literal["timeseries", "stat"] = "timeseries",
) -> Panel:
    return Panel(title=title, description=description, queries=queries, unit=unit, kind=kind)


def matchers(selector: str) -> str:
    return f"{{{selector}}}" if selector else ""


def rate(metric: str, by: str, selector: str = "") -> str:
    return f"sum by ({by}) (rate({metric}{matchers(selector)}[{RATE}]))"


def ratio_or_zero(bad: str, total: str) -> str:
    """bad / total, and 0 (not "no data") where nothing bad happened."""
    return f"({bad} or 0 * {total})\n/\n{total}"


def quantile(phi: float, histogram: str, by: str, selector: str = "") -> str:
    inner = rate(f"{histogram}_bucket", f"{by}, le", selector)
    return f"histogram_quantile({phi}, {inner})"


def latency_panel(histogram: str, by: str, selector: str, title: str) -> Panel:
    return panel(
        title,
        "p50, p95 and p99 from the histogram buckets.",
        *(
            q(quantile(phi, histogram, by, selector), f"p{round(phi * 100)} {{{{{by}}}}}")
            for phi in (0.5, 0.95, 0.99)
        ),
        unit="s",
    )


def burn_panel(title: str, record: str, objective: float, selector: str) -> Panel:
    budget = round(1 - objective, 6)
    return panel(
        title,
        f"Error-budget burn rate of the {objective * 100:g}% SLO (1 = spending exactly the "
        "budget; the fast-burn alert pages at 14.4 over 1h and 6 over 6h).",
        *(
            q(
                f"service:{record}:ratio_rate{window}{matchers(selector)} / {budget}",
                f"{{{{service}}}} {window}",
            )
            for window in ("1h", "6h", "1d")
        ),
    )


def red_panels(selector: str, by: str) -> tuple[Panel, ...]:
    errors = selector + (", " if selector else "") + 'status=~"5.."'
    total = rate("http_requests_total", by, selector)
    legend = f"{{{{{by}}}}}"
    return (
        panel(
            "Requests per second",
            "HTTP requests answered (route templates, never raw paths).",
            q(total, legend),
            unit="reqps",
        ),
        panel(
            "5xx ratio",
            "Share of answers that are server errors.",
            q(ratio_or_zero(rate("http_requests_total", by, errors), total), legend),
            unit="percentunit",
        ),
        latency_panel("http_request_duration_seconds", by, selector, "Latency"),
        panel(
            "In-flight requests",
            "Requests being answered right now.",
            q(f"sum by (service) (http_requests_in_flight{matchers(selector)})", "{{service}}"),
        ),
    )


def slo_panels(selector: str) -> tuple[Panel, ...]:
    availability, latency = SLOS
    return (
        burn_panel(
            "Availability SLO burn rate", availability.record, AVAILABILITY_OBJECTIVE, selector
        ),
        burn_panel("Latency SLO burn rate", latency.record, LATENCY_OBJECTIVE, selector),
    )


SERVICE = 'service=~"$service"'
GATEWAY_SELECTOR = 'service="gateway"'
PER_SERVICE = "{{service}}"

OVERVIEW = Dashboard(
    uid="platform-overview",
    title="Platform overview",
    description="RED per service and the burn rate of each service's SLOs.",
    rows=(
        ("Requests, errors, duration", red_panels("", "service")),
        ("SLOs", slo_panels("")),
        (
            "Targets",
            (
                panel(
                    "Scrape targets up",
                    "Targets answering, per job.",
                    q("sum by (job) (up)", "{{job}}"),
                ),
            ),
        ),
    ),
)


def pod_query(expr: str, reason: str) -> Query:
    return q(f"sum by (pod) ({expr})", "{{pod}}", cluster_only=reason)


PODS = 'pod=~".*$service.*", container!=""'
SERVICE_DETAIL = Dashboard(
    uid="platform-service",
    title="Service detail",
    description="One service: its routes, SLOs, cache and pods.",
    service_variable=True,
    rows=(
        ("Requests, errors, duration", red_panels(SERVICE, "route")),
        (
            "Status codes and SLOs",
            (
                panel(
                    "Answers by status",
                    "Requests per second by HTTP status.",
                    q(rate("http_requests_total", "status", SERVICE), "{{status}}"),
                    unit="reqps",
                ),
                *slo_panels(SERVICE),
            ),
        ),
        (
            "Cache and pods",
            (
                panel(
                    "Cache hit ratio",
                    "Hits over lookups, per cache.",
                    q(
                        rate("cache_requests_total", "cache", f'{SERVICE}, result="hit"')
                        + "\n/\n"
                        + rate("cache_requests_total", "cache", SERVICE),
                        "{{cache}}",
                    ),
                    unit="percentunit",
                ),
                panel(
                    "Container restarts (1h)",
                    "Restarts of the service's containers.",
                    pod_query(
                        f"increase(kube_pod_container_status_restarts_total{{{PODS}}}[1h])",
                        KUBE_STATE_METRICS,
                    ),
                ),
                panel(
                    "CPU",
                    "CPU used by the service's pods.",
                    pod_query(
                        f"rate(container_cpu_usage_seconds_total{{{PODS}}}[{RATE}])", CADVISOR
                    ),
                ),
                panel(
                    "Memory",
                    "Working set of the service's pods.",
                    pod_query(f"container_memory_working_set_bytes{{{PODS}}}", CADVISOR),
                    unit="bytes",
                ),
            ),
        ),
    ),
)


def per_service(title: str, description: str, gauge: str, *, unit: str = "short") -> Panel:
    """The largest value of a gauge per service."""
    return panel(title, description, q(f"max by (service) ({gauge})", PER_SERVICE), unit=unit)


EVENTS = Dashboard(
    uid="platform-events",
    title="Events and outbox",
    description="The outbox, the relays, RabbitMQ consumers, retries and dead letters.",
    rows=(
        (
            "Flow",
            (
                panel(
                    "Published",
                    "Events the relays published, per type.",
                    q(rate("events_published_total", "service, type"), "{{service}} {{type}}"),
                ),
                panel(
                    "Consumed",
                    "Events the workers took, by outcome.",
                    q(rate("events_consumed_total", "service, outcome"), "{{service}} {{outcome}}"),
                ),
                panel(
                    "Failed",
                    "Handler failures, retried or not.",
                    q(
                        rate("events_failed_total", "service, will_retry"),
                        "{{service}} retry={{will_retry}}",
                    ),
                ),
                panel(
                    "Dead-lettered (1h)",
                    "Events sent to the dead-letter queue.",
                    q(
                        "sum by (service, type) (increase(events_dead_lettered_total[1h]))",
                        "{{service}} {{type}}",
                    ),
                ),
                latency_panel("events_handler_duration_seconds", "service", "", "Handler duration"),
            ),
        ),
        (
            "Backlogs",
            (
                per_service(
                    "Outbox pending", "Rows waiting for the relay.", "events_outbox_pending"
                ),
                per_service(
                    "Oldest outbox row",
                    "Age of the oldest unpublished row (the outbox lag).",
                    "events_outbox_oldest_age_seconds",
                    unit="s",
                ),
                per_service(
                    "Quarantined outbox rows",
                    "Rows the relay gave up on.",
                    "events_outbox_quarantined_rows",
                ),
                panel(
                    "Consumer lag",
                    "Ready and unacknowledged messages in each service's queue.",
                    q("max by (service, queue) (events_consumer_lag_messages)", "{{queue}}"),
                ),
                per_service(
                    "Dead letters parked",
                    "Dead letters waiting for a replay or a drop.",
                    "events_dead_letter_parked",
                ),
            ),
        ),
    ),
)

PER_TASK = "{{service}} {{task}}"
CELERY = Dashboard(
    uid="platform-celery",
    title="Celery",
    description="Tasks of every service's worker: throughput, failures, duration.",
    rows=(
        (
            "Tasks",
            (
                panel(
                    "Tasks by state",
                    "Tasks finished per second, by state.",
                    q(rate("celery_tasks_total", "service, state"), "{{service}} {{state}}"),
                ),
                panel(
                    "Failure ratio",
                    "Failed tasks over finished tasks, per task.",
                    q(
                        ratio_or_zero(
                            rate("celery_tasks_total", "service, task", 'state="failed"'),
                            rate("celery_tasks_total", "service, task"),
                        ),
                        PER_TASK,
                    ),
                    unit="percentunit",
                ),
                latency_panel("celery_task_duration_seconds", "task", "", "Task duration"),
                panel(
                    "Tasks (1h)",
                    "Tasks finished in the last hour, per task.",
                    q("sum by (service, task) (increase(celery_tasks_total[1h]))", PER_TASK),
                ),
            ),
        ),
    ),
)


def gauge_sum(title: str, description: str, gauge: str) -> Panel:
    return panel(title, description, q(f"sum by (service) ({gauge})", PER_SERVICE))


REALTIME = Dashboard(
    uid="platform-realtime",
    title="Real time",
    description="WebSockets at the gateway and in notifications.",
    rows=(
        (
            "WebSockets",
            (
                gauge_sum(
                    "Open WebSockets (notifications)",
                    "Authenticated WebSocket connections open in notifications.",
                    "notifications_websocket_connections",
                ),
                gauge_sum(
                    "Open WebSockets (gateway)",
                    "WebSockets the gateway relays right now.",
                    "gateway_websockets_open",
                ),
                panel(
                    "Messages",
                    "WebSocket messages per second, by direction.",
                    q(
                        rate("notifications_websocket_messages_total", "service, direction"),
                        "{{direction}}",
                    ),
                ),
            ),
        ),
    ),
)

GATEWAY = Dashboard(
    uid="platform-gateway",
    title="Gateway",
    description="The edge: route groups, upstreams, retries, breakers, rate limits.",
    rows=(
        (
            "Edge",
            (
                panel(
                    "Requests by route group",
                    "Requests per second per route group.",
                    q(rate("http_requests_total", "route", GATEWAY_SELECTOR), "{{route}}"),
                    unit="reqps",
                ),
                panel(
                    "Answers by status",
                    "Requests per second by HTTP status.",
                    q(rate("http_requests_total", "status", GATEWAY_SELECTOR), "{{status}}"),
                    unit="reqps",
                ),
                panel(
                    "Rate-limited",
                    "Requests refused with 429 per second, per limit (0: none).",
                    q(
                        rate("gateway_rate_limited_total", "limit")
                        + " or on () 0 * "
                        + rate("http_requests_total", "service", GATEWAY_SELECTOR),
                        "{{limit}}",
                    ),
                ),
                gauge_sum(
                    "In-flight requests",
                    "Requests the gateway is answering right now.",
                    f"http_requests_in_flight{{{GATEWAY_SELECTOR}}}",
                ),
            ),
        ),
        (
            "Upstreams",
            (
                latency_panel(
                    "gateway_upstream_duration_seconds", "upstream", "", "Upstream latency"
                ),
                panel(
                    "Retries",
                    "Upstream retries per second (0 where none happened).",
                    q(
                        rate("gateway_upstream_retries_total", "upstream")
                        + " or 0 * "
                        + rate("gateway_upstream_duration_seconds_count", "upstream"),
                        "{{upstream}}",
                    ),
                ),
                panel(
                    "Circuit breakers",
                    "0 closed, 1 half-open, 2 open.",
                    q("max by (upstream) (gateway_breaker_state)", "{{upstream}}"),
                    kind="stat",
                ),
            ),
        ),
    ),
)

PER_DATABASE = "{{database}}"
PER_DATNAME = "{{datname}}"
PER_INSTANCE = "{{instance}}"
DATA_PLANE = Dashboard(
    uid="platform-data-plane",
    title="Data plane",
    description=(
        "PgBouncer, Postgres, RabbitMQ and Redis from their standard exporters "
        "(prometheus-pgbouncer-exporter, postgres_exporter, rabbitmq_prometheus, redis_exporter)."
    ),
    rows=(
        (
            "PgBouncer",
            (
                panel(
                    "Clients active and waiting",
                    "Clients waiting for a server connection mean a saturated pool.",
                    q("sum by (database) (pgbouncer_active_clients)", "active {{database}}"),
                    q("sum by (database) (pgbouncer_waiting_clients)", "waiting {{database}}"),
                ),
                panel(
                    "Transactions",
                    "Transactions pooled per second, per database.",
                    q(rate("pgbouncer_requests_total", "database"), PER_DATABASE),
                    unit="ops",
                ),
                panel(
                    "Pool size",
                    "Server connections each database's pool may open.",
                    q("max by (database) (pgbouncer_pool_size)", PER_DATABASE),
                ),
                panel(
                    "Server connections",
                    "Server connections in use and idle.",
                    q("sum(pgbouncer_used_servers)", "used"),
                    q("sum(pgbouncer_free_servers)", "free"),
                ),
            ),
        ),
        (
            "Postgres",
            (
                panel("Up", "The exporter reaches Postgres.", q("min(pg_up)", "up"), kind="stat"),
                panel(
                    "Connections",
                    "Backends per database against max_connections.",
                    q("sum by (datname) (pg_stat_database_numbackends)", PER_DATNAME),
                    q("max(pg_settings_max_connections)", "max_connections"),
                ),
                panel(
                    "Transactions",
                    "Commits and rollbacks per second.",
                    q(rate("pg_stat_database_xact_commit", "datname"), "commit {{datname}}"),
                    q(rate("pg_stat_database_xact_rollback", "datname"), "rollback {{datname}}"),
                ),
                panel(
                    "Database size",
                    "Size on disk per database.",
                    q("max by (datname) (pg_database_size_bytes)", PER_DATNAME),
                    unit="bytes",
                ),
            ),
        ),
        (
            "RabbitMQ",
            (
                panel(
                    "Queue depth",
                    "Ready and unacknowledged messages per queue.",
                    q("sum by (queue) (rabbitmq_queue_messages_ready)", "ready {{queue}}"),
                    q("sum by (queue) (rabbitmq_queue_messages_unacked)", "unacked {{queue}}"),
                ),
                panel(
                    "Consumers",
                    "Consumers per queue (0 on an events queue: EventsConsumerDown).",
                    q("sum by (queue) (rabbitmq_queue_consumers)", "{{queue}}"),
                ),
                panel(
                    "Connections and channels",
                    "Open AMQP connections and channels.",
                    q("sum(rabbitmq_connections)", "connections"),
                    q("sum(rabbitmq_channels)", "channels"),
                ),
                panel(
                    "Memory against the watermark",
                    "Resident memory over the memory high watermark.",
                    q(
                        "sum(rabbitmq_process_resident_memory_bytes)"
                        " / sum(rabbitmq_resident_memory_limit_bytes)",
                        "used",
                    ),
                    unit="percentunit",
                ),
            ),
        ),
        (
            "Redis",
            (
                panel(
                    "Up",
                    "Redis nodes the exporter reaches.",
                    q("max by (instance) (redis_up)", PER_INSTANCE),
                ),
                panel(
                    "Clients",
                    "Connected clients per node.",
                    q("max by (instance) (redis_connected_clients)", PER_INSTANCE),
                ),
                panel(
                    "Memory",
                    "Memory used per node.",
                    q("max by (instance) (redis_memory_used_bytes)", PER_INSTANCE),
                    unit="bytes",
                ),
                panel(
                    "Commands",
                    "Commands processed per second per node.",
                    q(rate("redis_commands_processed_total", "instance"), PER_INSTANCE),
                    unit="ops",
                ),
            ),
        ),
    ),
)

DASHBOARDS = (OVERVIEW, SERVICE_DETAIL, EVENTS, CELERY, REALTIME, GATEWAY, DATA_PLANE)


def target(query: Query, ref_id: str) -> prometheus.Dataquery:
    return (
        prometheus.Dataquery()
        .expr(query.expr)
        .legend_format(query.legend)
        .ref_id(ref_id)
        .datasource(DATASOURCE)
    )


def build_panel(panel: Panel, panel_id: int) -> timeseries.Panel | stat.Panel:
    built: timeseries.Panel | stat.Panel
    if panel.kind == "stat":
        built = stat.Panel().reduce_options(viz.ReduceDataOptions().calcs(["lastNotNull"]))
    else:
        legend = (
            viz.VizLegendOptions()
            .show_legend(True)
            .display_mode(LegendDisplayMode.LIST)
            .placement(LegendPlacement.BOTTOM)
        )
        built = timeseries.Panel().draw_style(GraphDrawStyle.LINE).fill_opacity(10).legend(legend)
    built = (
        built.id(panel_id)
        .title(panel.title)
        .description(panel.description)
        .datasource(DATASOURCE)
        .unit(panel.unit)
        .height(PANEL_HEIGHT)
        .span(PANEL_WIDTH)
    )
    for index, query in enumerate(panel.queries):
        built = built.with_target(target(query, chr(ord("A") + index)))
    return built


def variables(spec: Dashboard) -> list[db.DatasourceVariable | db.QueryVariable]:
    found: list[db.DatasourceVariable | db.QueryVariable] = [
        db.DatasourceVariable("datasource").label("Data source").type("prometheus")
    ]
    if spec.service_variable:
        found.append(
            db.QueryVariable("service")
            .label("Service")
            .datasource(DATASOURCE)
            .query(SERVICE_VALUES)
            .refresh(model.VariableRefresh.ON_TIME_RANGE_CHANGED)
            .sort(model.VariableSort.ALPHABETICAL_ASC)
        )
    return found


def build(spec: Dashboard) -> model.Dashboard:
    builder = (
        db.Dashboard(spec.title)
        .uid(spec.uid)
        .description(spec.description)
        .tags(list(spec.tags))
        .time("now-1h", "now")
        .refresh("30s")
        .timezone("browser")
        .tooltip(model.DashboardCursorSync.CROSSHAIR)
        .readonly()
    )
    for variable in variables(spec):
        builder = builder.with_variable(variable)
    panel_id = 0
    for row_title, panels in spec.rows:
        panel_id += 1
        builder = builder.with_row(db.Row(row_title).id(panel_id))
        for panel in panels:
            panel_id += 1
            builder = builder.with_panel(build_panel(panel, panel_id))
    return builder.build()


def queries() -> Iterator[tuple[Dashboard, Panel, Query]]:
    for spec in DASHBOARDS:
        for _, panels in spec.rows:
            for panel in panels:
                for query in panel.queries:
                    yield spec, panel, query


def cluster_only() -> dict[str, str]:
    """Expression -> why only a cluster has its series."""
    return {query.expr: query.cluster_only for _, _, query in queries() if query.cluster_only}


_KEYWORDS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right", "bool"})
_KEYWORDS |= {"and", "or", "unless", "offset"}


def metric_names(expr: str) -> set[str]:
    """The series names a PromQL expression reads (metrics and recording rules)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = re.findall(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()", text)
    return {name for name in names if name not in _KEYWORDS}
