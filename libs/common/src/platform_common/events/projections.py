"""Keep a local projection of another service's aggregate, ignoring out-of-order events."""

from __future__ import annotations

from typing import Any, TypeVar

from platform_common.events.envelope import Envelope
from platform_common.events.models import VersionedProjection

P = TypeVar("P", bound=VersionedProjection)


def is_stale(*, held_version: int | None, envelope: Envelope) -> bool:
    """True when the projection already holds a newer state than the event carries."""
    return held_version is not None and envelope.aggregate_version < held_version


def apply_to_projection(
    *, model: type[P], lookup: dict[str, Any], envelope: Envelope, values: dict[str, Any]
) -> P | None:
    """Create or update the row found by ``lookup`` with ``values`` unless the event is stale.

    Call it from a handler (it runs in the handler's transaction); the row is locked, so
    two events for the same aggregate apply one after the other. Returns None when stale.
    """
    current = model._default_manager.select_for_update().filter(**lookup).first()
    if current is None:
        return model._default_manager.create(
            **lookup, **values, aggregate_version=envelope.aggregate_version
        )
    if is_stale(held_version=current.aggregate_version, envelope=envelope):
        return None
    for name, value in {**values, "aggregate_version": envelope.aggregate_version}.items():
        setattr(current, name, value)
    current.save()
    return current
