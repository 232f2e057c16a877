"""A circuit breaker per upstream, so a dead service costs its callers nothing but a 503.

State is per gateway process (each worker, each pod learns on its own): no shared store
on the hot path, and a process that cannot reach a service is exactly the one that should
stop trying.

Only transport failures count: the connection is refused, cannot be made in time, breaks
before an answer, or the answer does not come within the read timeout. An HTTP answer,
5xx included, proves the service is there: a bug behind one endpoint answering 500 must
not cut off every other endpoint of that service, and a service shedding load with 503
says so itself (and idempotent requests are retried on it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """closed → open after ``threshold`` consecutive failures within ``window_seconds``;
    open → half-open after ``reset_seconds``, when one probe request goes through; the
    probe's success closes the breaker, its failure opens it again for ``reset_seconds``.
    """

    __slots__ = (
        "_clock",
        "_failures",
        "_last_failure",
        "_opened_at",
        "_probe_started",
        "_reset",
        "_threshold",
        "_window",
        "state",
    )

    def __init__(
        self,
        *,
        threshold: int,
        reset_seconds: float,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._threshold = max(1, threshold)
        self._reset = reset_seconds
        self._window = window_seconds
        self._clock = clock
        self._failures = 0
        self._last_failure = 0.0
        self._opened_at = 0.0
        self._probe_started = 0.0
        self.state = BreakerState.CLOSED

    def retry_after(self) -> int | None:
        """None if a request may go to the upstream now, else whole seconds to wait.

        Called once per request attempt; in half-open it hands out the one probe slot.
        """
        if self.state is BreakerState.CLOSED:
            return None
        now = self._clock()
        if self.state is BreakerState.OPEN:
            remaining = self._opened_at + self._reset - now
            if remaining > 0:
                return max(1, math.ceil(remaining))
            self.state = BreakerState.HALF_OPEN
            self._probe_started = now
            return None
        # Half-open with a probe in flight. A probe that never reported (its client went
        # away mid-request) frees the slot after ``reset_seconds``.
        if now - self._probe_started >= self._reset:
            self._probe_started = now
            return None
        return max(1, math.ceil(self._probe_started + self._reset - now))

    def record_success(self) -> None:
        if self.state is not BreakerState.CLOSED or self._failures:
            self.state = BreakerState.CLOSED
            self._failures = 0

    def record_failure(self) -> None:
        now = self._clock()
        if self.state is BreakerState.HALF_OPEN:
            self._open(now)
            return
        if self.state is BreakerState.OPEN:
            return  # a request let through before the breaker opened
        if self._failures and now - self._last_failure > self._window:
            self._failures = 0  # the streak went cold: start counting again
        self._failures += 1
        self._last_failure = now
        if self._failures >= self._threshold:
            self._open(now)

    def _open(self, now: float) -> None:
        self.state = BreakerState.OPEN
        self._opened_at = now
        self._failures = 0

    def describe(self) -> dict[str, object]:
        """For ``/readyz``: the state and, when open, seconds until a probe is allowed."""
        described: dict[str, object] = {"state": self.state.value}
        if self.state is BreakerState.OPEN:
            remaining = self._opened_at + self._reset - self._clock()
            described["retry_after"] = max(0, math.ceil(remaining))
        elif self.state is BreakerState.CLOSED:
            described["consecutive_failures"] = self._failures
        return described
