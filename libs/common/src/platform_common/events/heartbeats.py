"""Heartbeats of the Celery processes (see platform_common.heartbeat for the probe).

The worker touches its file from a timer of its own event loop (the hub that also drives
the broker connection), so a blocked loop or a consumer stuck reconnecting stops the
touches; beat touches its file on every scheduler tick, which comes at least every
``BEAT_MAX_LOOP_SECONDS``.
"""

from __future__ import annotations

from typing import Any

from celery import bootsteps
from celery.beat import PersistentScheduler
from celery.worker import WorkController

from platform_common import heartbeat
from platform_common.events import conf

WORKER_HEARTBEAT_SECONDS = 5.0
BEAT_MAX_LOOP_SECONDS = 10


def heartbeat_name(role: str) -> str:
    """``<service>-<role>``: processes of several services may share one machine."""
    return f"{conf.service_name()}-{role}"


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Touches ``<service>-worker`` every few seconds from the worker's event loop."""

    requires = ("celery.worker.components:Timer",)

    def __init__(self, parent: WorkController, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self._timer_entry: Any = None

    def start(self, parent: WorkController) -> None:
        name = heartbeat_name("worker")
        heartbeat.touch(name)
        # Created by the Timer step (required above); the stubs lack call_repeatedly.
        timer: Any = parent.timer
        self._timer_entry = timer.call_repeatedly(
            WORKER_HEARTBEAT_SECONDS, heartbeat.touch, (name,), priority=10
        )

    def stop(self, parent: WorkController) -> None:
        if self._timer_entry is not None:
            self._timer_entry.cancel()
            self._timer_entry = None


class HeartbeatScheduler(PersistentScheduler):
    """Celery beat's file-backed scheduler, touching ``<service>-beat`` at every tick."""

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval: float = super().tick(*args, **kwargs)
        heartbeat.touch(heartbeat_name("beat"))
        return interval
