"""Which handlers consume which event types (no Django).

``@subscribe("accounts.user.registered")`` in a service's ``<app>/events.py`` registers a
handler; the app's events module is imported by the events app at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from platform_common.events.envelope import Envelope

HandlerFunc = Callable[[Envelope], None]


@dataclass(frozen=True)
class Handler:
    event_type: str
    version: int
    func: HandlerFunc

    @property
    def name(self) -> str:
        """Stable inbox key: renaming a handler makes it see old events as new."""
        return f"{self.func.__module__}.{self.func.__qualname__}"


_handlers: dict[tuple[str, int], list[Handler]] = {}


def subscribe(event_type: str, *, version: int = 1) -> Callable[[HandlerFunc], HandlerFunc]:
    """Register the decorated ``(event: Envelope) -> None`` for ``event_type`` v``version``."""

    def register(func: HandlerFunc) -> HandlerFunc:
        handler = Handler(event_type=event_type, version=version, func=func)
        registered = _handlers.setdefault((event_type, version), [])
        # Re-importing a module (autoreload, tests) must not register a handler twice.
        if all(existing.name != handler.name for existing in registered):
            registered.append(handler)
        return func

    return register


def handlers_for(event_type: str, version: int) -> list[Handler]:
    return list(_handlers.get((event_type, version), []))


def subscribed_types() -> list[str]:
    """Routing keys the service's queue is bound to."""
    return sorted({event_type for event_type, _ in _handlers})


def unsubscribe(handler_name: str) -> None:
    """Remove a handler by name (tests register throwaway handlers)."""
    for key, registered in list(_handlers.items()):
        _handlers[key] = [handler for handler in registered if handler.name != handler_name]
        if not _handlers[key]:
            del _handlers[key]
