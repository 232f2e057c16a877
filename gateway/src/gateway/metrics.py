"""The gateway's Prometheus series, bound per label set once so a request pays for two
counter increments and one histogram observation, nothing else.

RED series (``http_requests_total``, ``http_request_duration_seconds``) carry the route
*group* (the upstream service, or ``schema``, ``docs``, ``health``, ``unmatched``), never
the path. Gauges whose value the gateway already keeps (requests in flight, breaker states,
open WebSockets) are read at scrape time instead of being updated per request.

One process serves every request (uvicorn, one worker), so the default registry is the
whole picture; ``/metrics`` is on ``METRICS_PORT``, a listener apart from the public one.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from prometheus_client import Counter, Gauge, Histogram

from gateway.breaker import BreakerState, CircuitBreaker
from gateway.routes import (
    DOCS_ASSETS_PATH,
    DOCS_PATH,
    HEALTH_PATH,
    READY_PATH,
    REDIRECTS,
    SCHEMA_PATH,
    upstream_service,
)
from platform_common.observability.metrics import (
    HTTP_DURATION,
    HTTP_IN_FLIGHT,
    HTTP_REQUESTS,
    UNMATCHED_ROUTE,
)

SERVICE = "gateway"

UPSTREAM_SECONDS = Histogram(
    "gateway_upstream_duration_seconds",
    "Time from sending a request upstream to its response head (each attempt).",
    ["service", "upstream"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
UPSTREAM_RETRIES = Counter(
    "gateway_upstream_retries_total", "Requests sent upstream again.", ["service", "upstream"]
)
BREAKER_STATE = Gauge(
    "gateway_breaker_state",
    "Circuit breaker of each upstream: 0 closed, 1 half-open, 2 open.",
    ["service", "upstream"],
)
RATE_LIMITED = Counter(
    "gateway_rate_limited_total",
    "Requests refused with 429, by the limit passed.",
    ["service", "limit"],
)
WEBSOCKETS_OPEN = Gauge("gateway_websockets_open", "Proxied WebSockets open now.", ["service"])

BREAKER_VALUES = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_OWN_GROUPS = {
    HEALTH_PATH: "health",
    READY_PATH: "health",
    SCHEMA_PATH: "schema",
    DOCS_PATH: "docs",
    **{old: "schema" if new == SCHEMA_PATH else "docs" for old, new in REDIRECTS.items()},
}


def route_group(path: str) -> str:
    """The bounded ``route`` label of a path: its upstream, or the gateway's own group."""
    service = upstream_service(path)
    if service is not None:
        return service
    group = _OWN_GROUPS.get(path)
    if group is not None:
        return group
    if path.startswith(DOCS_PATH) or path.startswith(DOCS_ASSETS_PATH):
        return "docs"
    return UNMATCHED_ROUTE


class RequestMetrics:
    """The RED series of the edge and the requests in flight."""

    __slots__ = ("_series", "in_flight")

    def __init__(self) -> None:
        self.in_flight = 0
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        HTTP_IN_FLIGHT.labels(SERVICE).set_function(lambda: self.in_flight)

    def observe(self, method: str, path: str, status: int, seconds: float) -> None:
        group = route_group(path)
        key = (method, group, status)
        series = self._series.get(key)
        if series is None:
            series = self._bind(method, group, status)
        series[0].inc()
        series[1].observe(seconds)

    def _bind(self, method: str, group: str, status: int) -> tuple[Counter, Histogram]:
        known = method in _KNOWN_METHODS
        label = method if known else "OTHER"
        series = (
            HTTP_REQUESTS.labels(SERVICE, label, group, str(status)),
            HTTP_DURATION.labels(SERVICE, label, group),
        )
        if known:  # an unknown method gets no key of its own: the dict stays bounded
            self._series[(method, group, status)] = series
        return series


class UpstreamMetrics:
    """The series of one upstream, bound once."""

    __slots__ = ("retries", "seconds")

    def __init__(self, upstream: str) -> None:
        self.seconds = UPSTREAM_SECONDS.labels(SERVICE, upstream)
        self.retries = UPSTREAM_RETRIES.labels(SERVICE, upstream)


def watch_breakers(breakers: Mapping[str, CircuitBreaker]) -> None:
    """Each breaker's state, read when Prometheus scrapes."""
    for upstream, breaker in breakers.items():
        BREAKER_STATE.labels(SERVICE, upstream).set_function(
            functools.partial(_breaker_value, breaker)
        )


def _breaker_value(breaker: CircuitBreaker) -> int:
    return BREAKER_VALUES[breaker.state]


def rate_limited(limit: str) -> None:
    RATE_LIMITED.labels(SERVICE, limit).inc()
