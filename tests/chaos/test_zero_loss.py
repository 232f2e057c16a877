"""Zero-loss fault test of the event backbone.

CHAOS_EVENTS events (default 1,000; ``make chaos`` runs 10,000) from 4 concurrent producer
processes, while the test SIGKILLs the consumer worker twice and the relay once and
restarts RabbitMQ once. Then: 0 lost, 0 applied twice (the consumer's own table),
outbox empty, queue and DLQ empty. Runs on its own database, vhost and service name.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from platform_common.testing.sandbox import worker_command

HERE = Path(__file__).parent
EVENTS = int(os.environ.get("CHAOS_EVENTS", "1000"))
PRODUCERS = 4
DATABASE = "chaos_events"
VHOST = "chaos_events"
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DSN = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
BIN = Path(sys.executable).parent
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "chaos_settings",
    "PYTHONPATH": str(HERE),
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
    "AMQP_URL": f"amqp://guest:guest@127.0.0.1:5672/{VHOST}",
}

pytestmark = pytest.mark.timeout(1800)


class Supervised:
    """A restartable process in its own process group (SIGKILL takes its children too)."""

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self.process = self._spawn()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(self.command, cwd=HERE, env=ENV, start_new_session=True)

    def kill_and_restart(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = self._spawn()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def rabbitmqctl(*args: str) -> str:
    return subprocess.run(
        ["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True, timeout=120
    ).stdout


def rabbitmq_is_running() -> bool:
    return subprocess.run(["rabbitmqctl", "-q", "await_startup"], timeout=120).returncode == 0


def restart_rabbitmq() -> None:
    rabbitmqctl("stop_app")
    time.sleep(2)
    rabbitmqctl("start_app")
    rabbitmqctl("await_startup")


def query(sql: str) -> int:
    with psycopg.connect(DSN, autocommit=True) as connection:
        row = connection.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def queue_depths() -> dict[str, int]:
    """Ready + unacked messages of the chaos queues."""
    lines = rabbitmqctl("list_queues", "-p", VHOST, "name", "messages").splitlines()
    rows = (line.split("\t") for line in lines if line.startswith("chaos.events"))
    return {name: int(count) for name, count in rows}


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def recreate_database() -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    manage = [str(BIN / "python"), "-m", "django", "migrate", "--run-syncdb", "-v", "0"]
    subprocess.run(manage, cwd=HERE, env=ENV, check=True)


def drop_database() -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


@contextmanager
def chaos_environment() -> Iterator[None]:
    rabbitmqctl("add_vhost", VHOST)
    rabbitmqctl("set_permissions", "-p", VHOST, "guest", ".*", ".*", ".*")
    recreate_database()
    try:
        yield
    finally:
        # Restore whatever the test touched, even after a failure mid-outage.
        if not rabbitmq_is_running():
            rabbitmqctl("start_app")
        rabbitmqctl("delete_vhost", VHOST)
        drop_database()


def applied() -> int:
    return query("SELECT count(DISTINCT event_id) FROM chaos_app_effect")


def reached(count: float) -> Callable[[], bool]:
    return lambda: applied() >= count


def test_no_event_is_lost_or_applied_twice_under_faults() -> None:
    with chaos_environment():
        worker = Supervised(worker_command("chaos_celery", concurrency=4))
        relay = Supervised([str(BIN / "python"), "-m", "django", "run_outbox_relay"])
        producers = [
            subprocess.Popen(
                [str(BIN / "python"), "-m", "django", "produce", str(EVENTS // PRODUCERS)],
                cwd=HERE,
                env=ENV,
            )
            for _ in range(PRODUCERS)
        ]
        try:
            faults: list[tuple[float, str, Callable[[], None]]] = [
                (0.10, "SIGKILL worker", worker.kill_and_restart),
                (0.25, "SIGKILL relay", relay.kill_and_restart),
                (0.40, "restart RabbitMQ", restart_rabbitmq),
                (0.60, "SIGKILL worker", worker.kill_and_restart),
            ]
            for fraction, name, inject in faults:
                wait_until(reached(EVENTS * fraction), timeout=600, what=name)
                print(f"{name} at {applied()}/{EVENTS} applied", flush=True)
                inject()
            assert all(producer.wait(timeout=600) == 0 for producer in producers)

            wait_until(lambda: applied() == EVENTS, timeout=600, what="every event applied")
            wait_until(lambda: sum(queue_depths().values()) == 0, timeout=120, what="empty queues")
        finally:
            worker.stop()
            relay.stop()
            for producer in producers:
                producer.kill()

        lost = EVENTS - applied()
        doubled = query(
            "SELECT count(*) FROM (SELECT event_id FROM chaos_app_effect"
            " GROUP BY event_id HAVING count(*) > 1) AS d"
        )
        pending = query("SELECT count(*) FROM events_outboxmessage WHERE sent_at IS NULL")
        depths = queue_depths()
        print(
            f"\nchaos: {EVENTS} events, lost {lost}, applied twice {doubled}, "
            f"outbox pending {pending}, queue {depths.get('chaos.events')}, "
            f"dlq {depths.get('chaos.events.dlq')}"
        )
        assert (lost, doubled, pending) == (0, 0, 0)
        assert depths == {"chaos.events": 0, "chaos.events.dlq": 0}
