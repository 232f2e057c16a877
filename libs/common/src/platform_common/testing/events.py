"""Helpers for services' tests: build envelopes and deliver them through the consumer path."""

from __future__ import annotations

import json
import uuid
from typing import Any

from platform_common.events.consumer import process
from platform_common.events.envelope import Envelope


def make_envelope(
    *,
    type: str,
    data: dict[str, Any],
    aggregate_id: str | uuid.UUID | None = None,
    aggregate_version: int = 1,
    version: int = 1,
) -> Envelope:
    """An envelope as the producing service (the type's first word) would publish it."""
    return Envelope(
        type=type,
        version=version,
        data=data,
        aggregate_id=str(aggregate_id or uuid.uuid4()),
        aggregate_version=aggregate_version,
        producer=type.split(".", 1)[0],
    )


def deliver(envelope: Envelope) -> Envelope:
    """Deliver as the worker does (JSON round trip, contract check, inbox, every handler).

    Raises ``PoisonMessage`` where the worker would dead-letter, and lets handler errors
    propagate where the worker would retry. Call it inside a django_db test.
    """
    return process(json.loads(envelope.to_json()))
