"""Celery task series from Celery's signals: ``celery_tasks_total{service,task,state}`` and
``celery_task_duration_seconds{service,task}``.

The task runs in a pool child (prefork): the worker's main process serves the merged
samples of every child in multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``). A task that
handles a failure itself (the event task retries and dead-letters by publishing copies)
returns a ``TaskState`` to be counted as such rather than as succeeded.
"""

from __future__ import annotations

import time
from enum import StrEnum
from typing import Any

from celery import Task, signals
from prometheus_client import Counter, Histogram


class TaskState(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RETRIED = "retried"
    REJECTED = "rejected"


TASKS = Counter(
    "celery_tasks_total", "Celery tasks run, by final state.", ["service", "task", "state"]
)
TASK_SECONDS = Histogram(
    "celery_task_duration_seconds",
    "Time a Celery task ran.",
    ["service", "task"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)
UNKNOWN_TASK = "unknown"
# Celery's own states (celery.states) and what each counts as.
_CELERY_STATES = {
    "SUCCESS": TaskState.SUCCEEDED,
    "FAILURE": TaskState.FAILED,
    "RETRY": TaskState.RETRIED,
    "REJECTED": TaskState.REJECTED,
    "IGNORED": TaskState.REJECTED,
}


class _TaskSignals:
    def __init__(self, service: str) -> None:
        self.service = service
        # task id -> start; a pool child runs one task at a time, so this stays tiny.
        self._started: dict[str, float] = {}

    def prerun(self, task_id: str, **_: Any) -> None:
        self._started[task_id] = time.perf_counter()

    def postrun(
        self, task_id: str, task: Task[Any, Any], retval: Any, state: str, **_: Any
    ) -> None:
        started = self._started.pop(task_id, None)
        if started is not None:
            TASK_SECONDS.labels(self.service, task.name).observe(time.perf_counter() - started)
        counted = retval if isinstance(retval, TaskState) else _CELERY_STATES.get(state)
        if counted is not None:
            TASKS.labels(self.service, task.name, counted.value).inc()

    def rejected(self, **_: Any) -> None:
        rejected(service=self.service)


def task_done(*, service: str, task: str, state: TaskState, seconds: float) -> None:
    """A task the worker ran outside Celery's tracer (the batched event deliveries)."""
    TASK_SECONDS.labels(service, task).observe(seconds)
    TASKS.labels(service, task, state.value).inc()


def rejected(*, service: str) -> None:
    """A message the worker refused before any task ran (unknown or undecodable)."""
    TASKS.labels(service, UNKNOWN_TASK, TaskState.REJECTED.value).inc()


_connected: dict[str, _TaskSignals] = {}


def connect(service: str) -> None:
    """Count ``service``'s tasks from the signals of this process (once per process)."""
    if service in _connected:
        return
    handlers = _connected[service] = _TaskSignals(service)
    signals.task_prerun.connect(handlers.prerun, weak=False)
    signals.task_postrun.connect(handlers.postrun, weak=False)
    signals.task_rejected.connect(handlers.rejected, weak=False)
    signals.task_unknown.connect(handlers.rejected, weak=False)
