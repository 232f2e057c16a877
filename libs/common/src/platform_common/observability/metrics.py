"""RED metrics every HTTP process exposes; no Django here, so the gateway records the same series.

Under gunicorn (several worker processes) set ``PROMETHEUS_MULTIPROC_DIR`` to an empty
writable directory before the workers start, and call ``mark_worker_dead(pid)`` from
gunicorn's ``child_exit`` hook; ``render_metrics()`` then merges every worker's samples.
The same holds for a prefork Celery worker, whose pool children record the task series.

Processes without a web port (gateway, Celery worker, relay) serve ``/metrics`` on their own
listener: ``start_metrics_server(port)``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from threading import Thread
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)

HTTP_REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests served, by route template and status.",
    ["service", "method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to produce the HTTP response, by route template.",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# livesum: the requests of live gunicorn workers added up; a dead worker's count is dropped.
HTTP_IN_FLIGHT = Gauge(
    "http_requests_in_flight",
    "HTTP requests being handled now.",
    ["service"],
    multiprocess_mode="livesum",
)
CACHE_REQUESTS = Counter(
    "cache_requests_total",
    "Cache reads by outcome (one per key asked for).",
    ["service", "cache", "result"],
)
UNMATCHED_ROUTE = "unmatched"
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# The labelled children, bound once per label set: ``labels()`` takes a lock and builds
# a tuple on every call, which the hot path of every request need not pay.
_RequestSeries = tuple[Counter, Histogram]
_request_series: dict[tuple[str, str, str, int], _RequestSeries] = {}


def observe_request(*, service: str, method: str, route: str, status: int, seconds: float) -> None:
    """Record one request; ``route`` must be a template (``/api/articles/<uuid:pk>/``), never
    the raw path, and unknown methods collapse to ``OTHER``: label values stay few."""
    key = (service, method, route, status)
    series = _request_series.get(key)
    if series is None:
        label = method if method in _KNOWN_METHODS else "OTHER"
        series = (
            HTTP_REQUESTS.labels(service, label, route, str(status)),
            HTTP_DURATION.labels(service, label, route),
        )
        # Bounded like the labels: only known methods get a key of their own.
        if method in _KNOWN_METHODS:
            _request_series[key] = series
    series[0].inc()
    series[1].observe(seconds)


def metrics_registry() -> CollectorRegistry:
    """What a scrape reads: every process's files in multiprocess mode, else this process."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


def render_metrics() -> tuple[bytes, str]:
    """The exposition text and its content type, merged across workers in multiprocess mode."""
    return generate_latest(metrics_registry()), CONTENT_TYPE_LATEST


@dataclass(frozen=True)
class MetricsServer:
    """``/metrics`` on a port of its own, served from a thread of this process."""

    server: WSGIServer
    thread: Thread

    @property
    def port(self) -> int:
        return int(self.server.server_port)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_metrics_server(port: int, *, host: str = "0.0.0.0") -> MetricsServer:  # noqa: S104
    """Serve the scrape on ``host:port`` (port 0: any free port, see ``.port``). Every pod
    interface by default: Prometheus scrapes the pod IP, and the NetworkPolicy admits only
    the monitoring namespace to this port."""
    server, thread = start_http_server(port, addr=host, registry=metrics_registry())
    return MetricsServer(server, thread)


def mark_worker_dead(pid: int) -> None:
    """gunicorn ``child_exit`` hook: drop a dead worker's live gauges from the merge."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
