"""Hooks for metrics and tracing (no Django): subclass EventObserver, add_observer() it.

Observers must be cheap and must not raise: a failing observer is logged and skipped,
never allowed to break publishing or consuming.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)


class EventObserver:
    """Every hook is a no-op; override the ones you need."""

    def on_published(self, *, event_type: str, count: int) -> None:
        """The broker confirmed ``count`` events of ``event_type``."""

    def on_handled(self, *, event_type: str, handler: str, seconds: float) -> None:
        """``handler`` applied an event (its transaction committed)."""

    def on_duplicate(self, *, event_type: str, handler: str) -> None:
        """A redelivered or replayed event was skipped thanks to the inbox."""

    def on_failed(self, *, event_type: str, error: BaseException, will_retry: bool) -> None:
        """Processing raised; ``will_retry`` is False when the event is dead-lettered."""

    def on_outbox_status(self, *, pending: int, oldest_age_seconds: float) -> None:
        """The relay measured its backlog (after each drain pass)."""


_observers: list[EventObserver] = []


def add_observer(observer: EventObserver) -> None:
    _observers.append(observer)


def remove_observer(observer: EventObserver) -> None:
    _observers.remove(observer)


def notify(call: Callable[[EventObserver], None]) -> None:
    """``notify(lambda o: o.on_handled(...))``: call one hook on every observer, safely."""
    for observer in list(_observers):
        try:
            call(observer)
        except Exception:
            logger.exception("event observer %r failed", observer)
