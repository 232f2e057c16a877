"""Reliable events between services: outbox, relay, inbox, contracts, DLQ tools.

``Envelope`` and ``subscribe`` import without Django; ``publish`` needs Django and is
loaded on first use so the gateway can import this package without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from platform_common.events.envelope import Envelope
from platform_common.events.registry import subscribe

if TYPE_CHECKING:
    from platform_common.events.outbox import publish

__all__ = ["Envelope", "publish", "subscribe"]


def __getattr__(name: str) -> Any:
    if name == "publish":
        from platform_common.events.outbox import publish

        return publish
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
