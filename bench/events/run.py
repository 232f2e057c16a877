"""Events benchmark: commit -> handled through outbox, relay, RabbitMQ and the worker,
beside raw kombu publish (confirm per message) -> consume on the same broker, same run.

Phases (about a minute and a half in all): a fixed rate of 200 events/s for 15 s
(throughput, p50 and p99 latency), then a burst of 2,000 published flat out by one
producer (throughput). Own database and vhost
(``bench_events``), both removed at the end. Run: ``python bench/events/run.py``.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from kombu import Connection, Exchange, Message, Queue

from platform_common.testing.bench import Goal, Row, record
from platform_common.testing.sandbox import worker_command

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
RATE = 200
RATE_SECONDS = 15
BURST = 2000
NAME = "bench_events"
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DSN = f"postgresql://postgres@127.0.0.1:5432/{NAME}"
AMQP_URL = f"amqp://guest:guest@127.0.0.1:5672/{NAME}"
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench_settings",
    "PYTHONPATH": str(HERE),
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{NAME}",
    "AMQP_URL": AMQP_URL,
}


@dataclass(frozen=True)
class Figures:
    throughput: float
    p50_ms: float
    p99_ms: float


def figures(latencies: list[float], first: float, last: float) -> Figures:
    quantiles = statistics.quantiles(latencies, n=100)
    return Figures(len(latencies) / (last - first), quantiles[49] * 1000, quantiles[98] * 1000)


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=120)


def admin(sql: str) -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as connection:
        connection.execute(sql)


@contextmanager
def environment() -> Iterator[None]:
    rabbitmqctl("add_vhost", NAME)
    rabbitmqctl("set_permissions", "-p", NAME, "guest", ".*", ".*", ".*")
    admin(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
    admin(f"CREATE DATABASE {NAME}")
    try:
        django_command("migrate", "--run-syncdb", "-v", "0")
        yield
    finally:
        rabbitmqctl("delete_vhost", NAME)
        admin(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")


def django_command(*args: str) -> None:
    subprocess.run([str(BIN / "python"), "-m", "django", *args], cwd=HERE, env=ENV, check=True)


@contextmanager
def running(command: list[str]) -> Iterator[None]:
    process = subprocess.Popen(command, cwd=HERE, env=ENV, start_new_session=True)
    try:
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def handled_rows() -> list[tuple[float, float]]:
    """(occurred, handled) epoch seconds of every handled event; the table is emptied."""
    with psycopg.connect(DSN, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT extract(epoch FROM occurred_at), extract(epoch FROM handled_at)"
            " FROM bench_app_handled"
        ).fetchall()
        connection.execute("TRUNCATE bench_app_handled")
    return [(float(occurred), float(handled)) for occurred, handled in rows]


def wait_for_handled(count: int) -> list[tuple[float, float]]:
    deadline = time.monotonic() + 45
    with psycopg.connect(DSN, autocommit=True) as connection:
        while time.monotonic() < deadline:
            row = connection.execute("SELECT count(*) FROM bench_app_handled").fetchone()
            if row and row[0] >= count:
                return handled_rows()
            time.sleep(0.2)
    raise TimeoutError(f"fewer than {count} events handled in time")


def platform_phase(count: int, rate: float) -> Figures:
    command = [str(BIN / "python"), "-m", "django", "produce", str(count), "--rate", str(rate)]
    producer = subprocess.Popen(command, cwd=HERE, env=ENV)
    rows = wait_for_handled(count)
    producer.wait(timeout=30)
    latencies = [handled - occurred for occurred, handled in rows]
    return figures(latencies, min(o for o, _ in rows), max(h for _, h in rows))


def measure_platform() -> tuple[Figures, Figures, float]:
    worker = worker_command("bench_celery", concurrency=4)
    relay = [str(BIN / "python"), "-m", "django", "run_outbox_relay"]
    with running(worker), running(relay):
        platform_phase(200, RATE)  # warm-up: connections, queue declared
        steady = platform_phase(RATE * RATE_SECONDS, RATE)
        burst = platform_phase(BURST, 0)
    return steady, burst, producer_alone(BURST)


def producer_alone(count: int) -> float:
    """Commits per second of the burst's producer with nothing else running: the bound of
    the burst's figure (its rows are never relayed; the database is dropped after)."""
    command = [str(BIN / "python"), "-m", "django", "produce", str(count)]
    subprocess.run(command, cwd=HERE, env=ENV, check=True)
    with psycopg.connect(DSN, autocommit=True) as connection:
        row = connection.execute(
            "SELECT count(*), extract(epoch FROM max(created_at) - min(created_at))"
            " FROM events_outboxmessage WHERE sent_at IS NULL"
        ).fetchone()
    if row is None or row[0] != count:
        raise RuntimeError(f"expected {count} unsent rows, found {row}")
    return float(row[0]) / float(row[1])


def kombu_phase(count: int, rate: float) -> Figures:
    exchange = Exchange("bench.kombu", type="direct", durable=True)
    queue = Queue(
        "bench.kombu",
        exchange=exchange,
        routing_key="bench",
        durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )
    received: list[tuple[float, float]] = []
    ready = threading.Event()

    def consume() -> None:
        def on_message(body: dict[str, float], message: Message) -> None:
            received.append((body["sent"], time.time()))
            message.ack()

        with (
            Connection(AMQP_URL) as connection,
            connection.Consumer(queue, callbacks=[on_message], accept=["json"], prefetch_count=16),
        ):
            ready.set()
            while len(received) < count:
                connection.drain_events(timeout=60)

    consumer = threading.Thread(target=consume)
    with Connection(AMQP_URL, transport_options={"confirm_publish": True}) as connection:
        queue.bind(connection.channel()).declare()
        consumer.start()
        ready.wait(timeout=30)
        producer = connection.Producer()
        started = time.monotonic()
        interval = 1 / rate if rate else 0.0
        for index in range(count):
            pause(started + index * interval - time.monotonic())
            producer.publish(
                json.dumps({"sent": time.time()}),
                exchange=exchange,
                routing_key="bench",
                content_type="application/json",
                delivery_mode=2,
            )
    consumer.join(timeout=120)
    latencies = [done - sent for sent, done in received]
    return figures(latencies, min(s for s, _ in received), max(d for _, d in received))


def pause(seconds: float) -> None:
    if seconds > 0:
        time.sleep(seconds)


def measure_kombu() -> tuple[Figures, Figures]:
    kombu_phase(200, RATE)  # warm-up
    return kombu_phase(RATE * RATE_SECONDS, RATE), kombu_phase(BURST, 0)


def report(rows: list[tuple[str, Callable[[Figures], float], Figures, Figures]]) -> None:
    print(f"\n{'':34}{'platform events':>16}{'raw kombu':>12}{'ratio':>8}")
    for label, pick, ours, peer in rows:
        print(f"{label:34}{pick(ours):16.1f}{pick(peer):12.1f}{pick(ours) / pick(peer):8.2f}")


def record_rows(
    steady: Figures, burst: Figures, producer: float, peer_steady: Figures, peer_burst: Figures
) -> None:
    def row(measure: str, ours: float, peer: float, *goals: Goal) -> Row:
        return Row("events", measure, ours, peer, "raw kombu", goals)

    at = f"at {RATE}/s"
    record(row(f"throughput {at}, events/s", steady.throughput, peer_steady.throughput))
    record(row(f"p50 commit -> handled {at}, ms", steady.p50_ms, peer_steady.p50_ms))
    record(
        row(
            f"p99 commit -> handled {at}, ms",
            steady.p99_ms,
            peer_steady.p99_ms,
            Goal("ours", "<=", 250),
        )
    )
    record(
        row(
            f"burst of {BURST:,}, events/s",
            burst.throughput,
            peer_burst.throughput,
            Goal("ours", ">=", 1000),
            Goal("ratio", ">=", 0.8),
        )
    )
    record(row(f"burst's producer alone, {BURST:,} commits/s", producer, peer_burst.throughput))


def main() -> None:
    started = time.monotonic()
    with environment():
        steady, burst, producer = measure_platform()
        peer_steady, peer_burst = measure_kombu()
    report(
        [
            (f"throughput at {RATE}/s (events/s)", lambda f: f.throughput, steady, peer_steady),
            (f"p50 latency at {RATE}/s (ms)", lambda f: f.p50_ms, steady, peer_steady),
            (f"p99 latency at {RATE}/s (ms)", lambda f: f.p99_ms, steady, peer_steady),
            (f"burst of {BURST} (events/s)", lambda f: f.throughput, burst, peer_burst),
        ]
    )
    print(f"{'burst producer alone (commits/s)':34}{producer:16.1f}")
    record_rows(steady, burst, producer, peer_steady, peer_burst)
    print("\nplatform: commit -> handler committed (outbox, relay, RabbitMQ, Celery, inbox);")
    print("kombu: publish with a confirm per message -> consume and ack, quorum queue, one process")
    print(f"total {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
