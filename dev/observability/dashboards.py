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


def latency_panels(histogram: str, by: str, selector: str, title: str) -> Panel:
    return Panel(
        title=title,
        description="p50, p95 and p99 from the histogram buckets.",
        unit="s",
        queries=tuple(
            q(quantile(phi, histogram, by, selector), f"p{round(phi * 100)} {{{{{by}}}}}")
            for phi in (0.5, 0.95, 0.99)
        ),
    )


def burn_panel(title: str, record: str, objective: float, selector: str) -> Panel:
    budget = round(1 - objective, 6)
    return Panel(
        title=title,
        description=(
            f"Error-budget burn rate of the {objective * 100:g}% SLO (1 = spending exactly the "
            "budget; the fast-burn alert pages at 14.4 over 1h and 6 over 6h)."
        ),
        queries=tuple(
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
    return (
        Panel(
            title="Requests per second",
            description="HTTP requests answered (route templates, never raw paths).",
            unit="reqps",
            queries=(q(total, f"{{{{{by}}}}}"),),
        ),
        Panel(
            title="5xx ratio",
            description="Share of answers that are server errors.",
            unit="percentunit",
            queries=(
                q(ratio_or_zero(rate("http_requests_total", by, errors), total), f"{{{{{by}}}}}"),
            ),
        ),
        latency_panels("http_request_duration_seconds", by, selector, "Latency"),
        Panel(
            title="In-flight requests",
            description="Requests being answered right now.",
            queries=(
                q(f"sum by (service) (http_requests_in_flight{matchers(selector)})", "{{service}}"),
            ),
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
                Panel(
                    title="Scrape targets up",
                    description="Targets answering Prometheus, per job.",
                    queries=(q("sum by (job) (up)", "{{job}}"),),
                ),
            ),
        ),
    ),
)

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
                Panel(
                    title="Answers by status",
                    description="Requests per second by HTTP status.",
                    unit="reqps",
                    queries=(q(rate("http_requests_total", "status", SERVICE), "{{status}}"),),
                ),
                *slo_panels(SERVICE),
            ),
        ),
        (
            "Cache and pods",
            (
                Panel(
                    title="Cache hit ratio",
                    description="Hits over lookups, per cache.",
                    unit="percentunit",
                    queries=(
                        q(
                            rate("cache_requests_total", "cache", f'{SERVICE}, result="hit"')
                            + "\n/\n"
                            + rate("cache_requests_total", "cache", SERVICE),
                            "{{cache}}",
                        ),
                    ),
                ),
                Panel(
                    title="Container restarts (1h)",
                    description="Restarts of the service's containers.",
                    queries=(
                        q(
                            "sum by (pod) (increase(kube_pod_container_status_restarts_total"
                            '{pod=~".*$service.*"}[1h]))',
                            "{{pod}}",
                            cluster_only=KUBE_STATE_METRICS,
                        ),
                    ),
                ),
                Panel(
                    title="CPU",
                    description="CPU used by the service's pods.",
                    queries=(
                        q(
                            "sum by (pod) (rate(container_cpu_usage_seconds_total"
                            f'{{pod=~".*$service.*", container!=""}}[{RATE}]))',
                            "{{pod}}",
                            cluster_only=CADVISOR,
                        ),
                    ),
                ),
                Panel(
                    title="Memory",
                    description="Working set of the service's pods.",
                    unit="bytes",
                    queries=(
                        q(
                            'sum by (pod) (container_memory_working_set_bytes{pod=~".*$service.*",'
                            ' container!=""})',
                            "{{pod}}",
                            cluster_only=CADVISOR,
                        ),
                    ),
                ),
            ),
        ),
    ),
)

EVENTS = Dashboard(
    uid="platform-events",
    title="Events and outbox",
    description="The outbox, the relays, RabbitMQ consumers, retries and dead letters.",
    rows=(
        (
            "Flow",
            (
                Panel(
                    title="Published",
                    description="Events the relays published, per type.",
                    queries=(
                        q(rate("events_published_total", "service, type"), "{{service}} {{type}}"),
                    ),
                ),
                Panel(
                    title="Consumed",
                    description="Events the workers took, by outcome.",
                    queries=(
                        q(
                            rate("events_consumed_total", "service, outcome"),
                            "{{service}} {{outcome}}",
                        ),
                    ),
                ),
                Panel(
                    title="Failed",
                    description="Handler failures, retried or not.",
                    queries=(
                        q(
                            rate("events_failed_total", "service, will_retry"),
                            "{{service}} retry={{will_retry}}",
                        ),
                    ),
                ),
                Panel(
                    title="Dead-lettered (1h)",
                    description="Events sent to the dead-letter queue.",
                    queries=(
                        q(
                            "sum by (service, type) (increase(events_dead_lettered_total[1h]))",
                            "{{service}} {{type}}",
                        ),
                    ),
                ),
                latency_panels(
                    "events_handler_duration_seconds", "service", "", "Handler duration"
                ),
            ),
        ),
        (
            "Backlogs",
            (
                Panel(
                    title="Outbox pending",
                    description="Outbox rows waiting for the relay.",
                    queries=(q("max by (service) (events_outbox_pending)", "{{service}}"),),
                ),
                Panel(
                    title="Oldest outbox row",
                    description="Age of the oldest unpublished row (the outbox lag).",
                    unit="s",
                    queries=(
                        q("max by (service) (events_outbox_oldest_age_seconds)", "{{service}}"),
                    ),
                ),
                Panel(
                    title="Quarantined outbox rows",
                    description="Rows the relay gave up on.",
                    queries=(
                        q("max by (service) (events_outbox_quarantined_rows)", "{{service}}"),
                    ),
                ),
                Panel(
                    title="Consumer lag",
                    description="Ready and unacknowledged messages in each service's queue.",
                    queries=(
                        q("max by (service, queue) (events_consumer_lag_messages)", "{{queue}}"),
                    ),
                ),
                Panel(
                    title="Dead letters parked",
                    description="Dead letters waiting for a replay or a drop.",
                    queries=(q("max by (service) (events_dead_letter_parked)", "{{service}}"),),
                ),
            ),
        ),
    ),
)

CELERY = Dashboard(
    uid="platform-celery",
    title="Celery",
    description="Tasks of every service's worker: throughput, failures, duration.",
    rows=(
        (
            "Tasks",
            (
                Panel(
                    title="Tasks by state",
                    description="Tasks finished per second, by state.",
                    queries=(
                        q(rate("celery_tasks_total", "service, state"), "{{service}} {{state}}"),
                    ),
                ),
                Panel(
                    title="Failure ratio",
                    description="Failed tasks over finished tasks, per task.",
                    unit="percentunit",
                    queries=(
                        q(
                            ratio_or_zero(
                                rate("celery_tasks_total", "service, task", 'state="failed"'),
                                rate("celery_tasks_total", "service, task"),
                            ),
                            "{{service}} {{task}}",
                        ),
                    ),
                ),
                latency_panels("celery_task_duration_seconds", "task", "", "Task duration"),
                Panel(
                    title="Tasks (1h)",
                    description="Tasks finished in the last hour, per task.",
                    queries=(
                        q(
                            "sum by (service, task) (increase(celery_tasks_total[1h]))",
                            "{{service}} {{task}}",
                        ),
                    ),
                ),
            ),
        ),
    ),
)

REALTIME = Dashboard(
    uid="platform-realtime",
    title="Real time",
    description="WebSockets at the gateway and in notifications.",
    rows=(
        (
            "WebSockets",
            (
                Panel(
                    title="Open WebSockets (notifications)",
                    description="Authenticated WebSocket connections open in notifications.",
                    queries=(
                        q("sum by (service) (notifications_websocket_connections)", "{{service}}"),
                    ),
                ),
                Panel(
                    title="Open WebSockets (gateway)",
                    description="WebSockets the gateway relays right now.",
                    queries=(q("sum by (service) (gateway_websockets_open)", "{{service}}"),),
                ),
                Panel(
                    title="Messages",
                    description="WebSocket messages per second, by direction.",
                    queries=(
                        q(
                            rate("notifications_websocket_messages_total", "service, direction"),
                            "{{direction}}",
                        ),
                    ),
                ),
            ),
        ),
    ),
)

GATEWAY_SELECTOR = 'service="gateway"'
GATEWAY = Dashboard(
    uid="platform-gateway",
    title="Gateway",
    description="The edge: route groups, upstreams, retries, breakers, rate limits.",
    rows=(
        (
            "Edge",
            (
                Panel(
                    title="Requests by route group",
                    description="Requests per second per route group.",
                    unit="reqps",
                    queries=(
                        q(rate("http_requests_total", "route", GATEWAY_SELECTOR), "{{route}}"),
                    ),
                ),
                Panel(
                    title="Answers by status",
                    description="Requests per second by HTTP status.",
                    unit="reqps",
                    queries=(
                        q(rate("http_requests_total", "status", GATEWAY_SELECTOR), "{{status}}"),
                    ),
                ),
                Panel(
                    title="Rate-limited",
                    description="Requests refused with 429 per second, per limit (0: none).",
                    queries=(
                        q(
                            rate("gateway_rate_limited_total", "limit")
                            + " or on () 0 * "
                            + rate("http_requests_total", "service", GATEWAY_SELECTOR),
                            "{{limit}}",
                        ),
                    ),
                ),
                Panel(
                    title="In-flight requests",
                    description="Requests the gateway is answering right now.",
                    queries=(
                        q(
                            f"sum by (service) (http_requests_in_flight{{{GATEWAY_SELECTOR}}})",
                            "{{service}}",
                        ),
                    ),
                ),
            ),
        ),
        (
            "Upstreams",
            (
                latency_panels(
                    "gateway_upstream_duration_seconds", "upstream", "", "Upstream latency"
                ),
                Panel(
                    title="Retries",
                    description="Upstream retries per second (0 where none happened).",
                    queries=(
                        q(
                            rate("gateway_upstream_retries_total", "upstream")
                            + " or 0 * "
                            + rate("gateway_upstream_duration_seconds_count", "upstream"),
                            "{{upstream}}",
                        ),
                    ),
                ),
                Panel(
                    title="Circuit breakers",
                    description="0 closed, 1 half-open, 2 open.",
                    kind="stat",
                    queries=(q("max by (upstream) (gateway_breaker_state)", "{{upstream}}"),),
                ),
            ),
        ),
    ),
)

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
                Panel(
                    title="Clients active and waiting",
                    description="Clients waiting for a server connection mean a saturated pool.",
                    queries=(
                        q("sum by (database) (pgbouncer_active_clients)", "active {{database}}"),
                        q("sum by (database) (pgbouncer_waiting_clients)", "waiting {{database}}"),
                    ),
                ),
                Panel(
                    title="Transactions",
                    description="Transactions pooled per second, per database.",
                    unit="ops",
                    queries=(q(rate("pgbouncer_requests_total", "database"), "{{database}}"),),
                ),
                Panel(
                    title="Pool size",
                    description="Server connections each database's pool may open.",
                    queries=(q("max by (database) (pgbouncer_pool_size)", "{{database}}"),),
                ),
                Panel(
                    title="Server connections",
                    description="Server connections in use and idle.",
                    queries=(
                        q("sum(pgbouncer_used_servers)", "used"),
                        q("sum(pgbouncer_free_servers)", "free"),
                    ),
                ),
            ),
        ),
        (
            "Postgres",
            (
                Panel(
                    title="Up",
                    description="The exporter reaches Postgres.",
                    kind="stat",
                    queries=(q("min(pg_up)", "up"),),
                ),
                Panel(
                    title="Connections",
                    description="Backends per database against max_connections.",
                    queries=(
                        q("sum by (datname) (pg_stat_database_numbackends)", "{{datname}}"),
                        q("max(pg_settings_max_connections)", "max_connections"),
                    ),
                ),
                Panel(
                    title="Transactions",
                    description="Commits and rollbacks per second.",
                    queries=(
                        q(rate("pg_stat_database_xact_commit", "datname"), "commit {{datname}}"),
                        q(
                            rate("pg_stat_database_xact_rollback", "datname"),
                            "rollback {{datname}}",
                        ),
                    ),
                ),
                Panel(
                    title="Database size",
                    description="Size on disk per database.",
                    unit="bytes",
                    queries=(q("max by (datname) (pg_database_size_bytes)", "{{datname}}"),),
                ),
            ),
        ),
        (
            "RabbitMQ",
            (
                Panel(
                    title="Queue depth",
                    description="Ready and unacknowledged messages per queue.",
                    queries=(
                        q("sum by (queue) (rabbitmq_queue_messages_ready)", "ready {{queue}}"),
                        q("sum by (queue) (rabbitmq_queue_messages_unacked)", "unacked {{queue}}"),
                    ),
                ),
                Panel(
                    title="Consumers",
                    description="Consumers per queue (0 on an events queue: EventsConsumerDown).",
                    queries=(q("sum by (queue) (rabbitmq_queue_consumers)", "{{queue}}"),),
                ),
                Panel(
                    title="Connections and channels",
                    description="Open AMQP connections and channels.",
                    queries=(
                        q("sum(rabbitmq_connections)", "connections"),
                        q("sum(rabbitmq_channels)", "channels"),
                    ),
                ),
                Panel(
                    title="Memory against the watermark",
                    description="Resident memory over the memory high watermark.",
                    unit="percentunit",
                    queries=(
                        q(
                            "sum(rabbitmq_process_resident_memory_bytes)"
                            " / sum(rabbitmq_resident_memory_limit_bytes)",
                            "used",
                        ),
                    ),
                ),
            ),
        ),
        (
            "Redis",
            (
                Panel(
                    title="Up",
                    description="Redis nodes the exporter reaches.",
                    queries=(q("max by (instance) (redis_up)", "{{instance}}"),),
                ),
                Panel(
                    title="Clients",
                    description="Connected clients per node.",
                    queries=(q("max by (instance) (redis_connected_clients)", "{{instance}}"),),
                ),
                Panel(
                    title="Memory",
                    description="Memory used per node.",
                    unit="bytes",
                    queries=(q("max by (instance) (redis_memory_used_bytes)", "{{instance}}"),),
                ),
                Panel(
                    title="Commands",
                    description="Commands processed per second per node.",
                    unit="ops",
                    queries=(
                        q(rate("redis_commands_processed_total", "instance"), "{{instance}}"),
                    ),
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
