"""Prometheus series of the event transport (no Django): what was published, consumed,
failed, dead-lettered, and how far behind each outbox is.

The relay and the Celery workers record into the default registry of their process (in
multiprocess mode under a prefork worker: its pool children record the consume series, the
main process the broker and dead-letter gauges). Each serves them on ``METRICS_PORT``.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram


def _counter(name: str, documentation: str, *labels: str) -> Counter:
    return Counter(name, documentation, ["service", *labels])


EVENTS_PUBLISHED = _counter(
    "events_published_total", "Events the broker confirmed from the outbox.", "type"
)
EVENTS_CONSUMED = _counter(
    "events_consumed_total",
    "Handler runs on delivered events (applied or duplicate).",
    "type",
    "outcome",
)
EVENTS_FAILED = _counter(
    "events_failed_total",
    "Failed processing attempts (will_retry: true or false).",
    "type",
    "will_retry",
)
EVENTS_DEAD_LETTERED = _counter(
    "events_dead_lettered_total", "Events sent to the service's dead-letter queue.", "type"
)
OUTBOX_QUARANTINED = _counter(
    "events_outbox_quarantined_total", "Outbox rows quarantined after refused attempts.", "type"
)
EVENTS_HANDLER_SECONDS = Histogram(
    "events_handler_duration_seconds",
    "Time a handler took to apply an event (its transaction included).",
    ["service", "type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def _gauge(name: str, documentation: str, *labels: str) -> Gauge:
    # One process measures each of these: the latest value is the answer in any mode.
    return Gauge(name, documentation, ["service", *labels], multiprocess_mode="mostrecent")


OUTBOX_PENDING = _gauge("events_outbox_pending", "Outbox rows waiting to be published.")
OUTBOX_OLDEST_AGE = _gauge(
    "events_outbox_oldest_age_seconds", "Age of the oldest pending outbox row."
)
OUTBOX_QUARANTINED_ROWS = _gauge("events_outbox_quarantined_rows", "Outbox rows in quarantine now.")
CONSUMER_LAG = _gauge(
    "events_consumer_lag_messages",
    "Messages of the service's event queue not yet handled (ready and unacked).",
    "queue",
)
DEAD_LETTERS_PARKED = _gauge(
    "events_dead_letter_parked", "Dead letters parked in the service's database."
)


def published(*, service: str, event_type: str, count: int) -> None:
    EVENTS_PUBLISHED.labels(service, event_type).inc(count)


def consumed(*, service: str, event_type: str, duplicate: bool, seconds: float = 0.0) -> None:
    EVENTS_CONSUMED.labels(service, event_type, "duplicate" if duplicate else "applied").inc()
    if not duplicate:
        EVENTS_HANDLER_SECONDS.labels(service, event_type).observe(seconds)


def failed(*, service: str, event_type: str, will_retry: bool) -> None:
    EVENTS_FAILED.labels(service, event_type, str(will_retry).lower()).inc()


def dead_lettered(*, service: str, event_type: str) -> None:
    EVENTS_DEAD_LETTERED.labels(service, event_type).inc()


def outbox_quarantined(*, service: str, event_type: str) -> None:
    OUTBOX_QUARANTINED.labels(service, event_type).inc()


def outbox_backlog(
    *, service: str, pending: int, oldest_age_seconds: float, quarantined: int
) -> None:
    OUTBOX_PENDING.labels(service).set(pending)
    OUTBOX_OLDEST_AGE.labels(service).set(oldest_age_seconds)
    OUTBOX_QUARANTINED_ROWS.labels(service).set(quarantined)


def consumer_lag(*, service: str, queue: str, messages: int) -> None:
    CONSUMER_LAG.labels(service, queue).set(messages)


def dead_letters_parked(*, service: str, rows: int) -> None:
    DEAD_LETTERS_PARKED.labels(service).set(rows)
