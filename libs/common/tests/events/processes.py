"""Start the evtest relay and worker as real processes on the test database."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection
from kombu import Connection, Exchange, Queue
from kombu.transport.native_delayed_delivery import (
    bind_queue_to_native_delayed_delivery_exchange,
    declare_native_delayed_delivery_exchanges_and_queues,
)

from platform_common.events import conf
from platform_common.events.registry import subscribed_types
from platform_common.events.topology import (
    EVENTS_EXCHANGE,
    dead_letter_queue,
    declare_topology,
    events_queue,
)
from platform_common.testing import sandbox

HERE = Path(__file__).parent


def _env(overrides: dict[str, str]) -> dict[str, str]:
    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(HERE), **overrides}


@contextmanager
def running(
    command: list[str], *, capture: bool = False, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` on the test database; ``env`` overrides settings read from it."""
    stdout, stderr = (subprocess.PIPE, subprocess.STDOUT) if capture else (None, None)
    process = subprocess.Popen(command, cwd=HERE, env=_env(env or {}), stdout=stdout, stderr=stderr)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def relay_command(*extra: str) -> list[str]:
    return [sys.executable, "-m", "django", "run_outbox_relay", "--poll-seconds", "0.5", *extra]


def worker_command(*, pool: str = "threads") -> list[str]:
    return sandbox.worker_command("evtest_celery", concurrency=2, pool=pool)


def fresh_topology() -> None:
    """Declare the evtest topology, with the delayed-delivery exchanges that retries go
    through (a worker declares them at start-up; a test may run before any worker has),
    and empty its queues."""
    with Connection(conf.broker_url()) as broker:
        declare_topology(broker, service="evtest", event_types=subscribed_types())
        declare_native_delayed_delivery_exchanges_and_queues(broker, "quorum")
        bind_queue_to_native_delayed_delivery_exchange(broker, events_queue("evtest", []))
        with broker.channel() as channel:
            for queue in (events_queue("evtest", []), dead_letter_queue("evtest")):
                queue.bind(channel).purge()


def drain_event_ids() -> list[str]:
    """Take every message off the evtest queue; returns their event ids."""
    ids: list[str] = []
    with Connection(conf.broker_url()) as broker, broker.channel() as channel:
        queue = events_queue("evtest", []).bind(channel)
        while (message := queue.get(no_ack=True)) is not None:
            ids.append(str(message.headers["id"]))
    return ids


def wait_for_line(process: subprocess.Popen[bytes], text: str, *, timeout: float = 30.0) -> None:
    """Read the captured output of ``process`` until a line contains ``text``."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        readable, _, _ = select.select([process.stdout], [], [], 0.5)
        if readable and text in process.stdout.readline().decode():
            return
    raise AssertionError(f"{text!r} not printed in time")


def wait_until(condition: Callable[[], bool], *, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


@contextmanager
def rebound(queue: str, *, exchange: str, routing_key: str, present: bool) -> Iterator[None]:
    """For the duration, add (``present``) or remove one binding; undone afterwards."""
    _binding(queue, exchange=exchange, routing_key=routing_key, present=present)
    try:
        yield
    finally:
        _binding(queue, exchange=exchange, routing_key=routing_key, present=not present)


def _binding(queue: str, *, exchange: str, routing_key: str, present: bool) -> None:
    with Connection(conf.broker_url()) as broker, broker.channel() as channel:
        bound_queue = Queue(queue).bind(channel)
        if present:
            bound_queue.bind_to(Exchange(exchange), routing_key)
        else:
            bound_queue.unbind_from(Exchange(exchange), routing_key)


def manage(*args: str) -> str:
    """Run ``python -m django <args>`` on the test database; returns its output."""
    result = subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=HERE,
        env=_env({}),
        capture_output=True,
        check=True,
        timeout=60,
    )
    return result.stdout.decode()


def broker_publish(body: bytes, *, headers: dict[str, object] | None = None) -> None:
    """Publish raw ``body`` as an accounts.user.registered message (confirmed)."""
    with Connection(conf.broker_url(), transport_options={"confirm_publish": True}) as broker:
        broker.Producer().publish(
            body,
            exchange=EVENTS_EXCHANGE,
            routing_key="accounts.user.registered",
            headers=headers or {},
            content_type="application/json",
            content_encoding="utf-8",
        )
