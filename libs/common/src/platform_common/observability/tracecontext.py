"""W3C trace context helpers (no Django): https://www.w3.org/TR/trace-context/."""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")

# The traceparent of the work in progress: set by whoever starts it (an HTTP middleware
# from the incoming header, the event consumer from the envelope) and read by publish().
traceparent_var: ContextVar[str | None] = ContextVar("traceparent", default=None)


def new_traceparent() -> str:
    """A fresh sampled traceparent, for events published outside any traced request."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def is_valid_traceparent(value: str) -> bool:
    match = _TRACEPARENT.match(value)
    # All-zero trace or span ids are invalid by the spec.
    return match is not None and set(match.group(1)) != {"0"} and set(match.group(2)) != {"0"}


def child_traceparent(parent: str | None) -> str:
    """Same trace as ``parent`` with a new span id; a fresh trace when there is no valid parent."""
    match = _TRACEPARENT.match(parent or "")
    if match is None or not is_valid_traceparent(match.group(0)):
        return new_traceparent()
    return f"00-{match.group(1)}-{secrets.token_hex(8)}-{match.group(3)}"


def current_traceparent() -> str:
    return child_traceparent(traceparent_var.get())
