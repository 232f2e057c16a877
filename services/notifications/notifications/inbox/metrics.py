"""Prometheus metrics of the real-time side (exposed by the process's metrics endpoint)."""

from prometheus_client import Gauge

# livesum: under a multi-process server each process reports its own open sockets.
open_websockets = Gauge(
    "websocket_connections",
    "Authenticated WebSocket connections currently open.",
    multiprocess_mode="livesum",
)
