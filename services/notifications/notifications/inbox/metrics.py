"""Prometheus series of the real-time side (served on the process's own /metrics)."""

from prometheus_client import Counter, Gauge

SERVICE = "notifications"

# livesum: under a multi-process server each process reports its own open sockets.
WEBSOCKET_CONNECTIONS = Gauge(
    "notifications_websocket_connections",
    "Authenticated WebSocket connections currently open.",
    ["service"],
    multiprocess_mode="livesum",
)
WEBSOCKET_MESSAGES = Counter(
    "notifications_websocket_messages_total",
    "WebSocket messages, by direction (sent to clients, received from them).",
    ["service", "direction"],
)
open_websockets = WEBSOCKET_CONNECTIONS.labels(SERVICE)
messages_sent = WEBSOCKET_MESSAGES.labels(SERVICE, "sent")
messages_received = WEBSOCKET_MESSAGES.labels(SERVICE, "received")
