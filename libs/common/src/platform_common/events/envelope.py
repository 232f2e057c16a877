"""The event envelope: the JSON every event travels in. Imports without Django."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

EVENT_TYPE_PARTS = 3
_T = TypeVar("_T")


class InvalidEnvelope(ValueError):
    """Raised when bytes or a mapping are not a well-formed envelope."""


@dataclass(frozen=True, kw_only=True)
class Envelope:
    type: str
    data: dict[str, Any]
    aggregate_id: str
    aggregate_version: int
    producer: str
    version: int = 1
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # W3C trace context of the publishing span ("" when tracing is off).
    traceparent: str = ""
    request_id: str | None = None

    def __post_init__(self) -> None:
        if len(self.type.split(".")) != EVENT_TYPE_PARTS or not all(self.type.split(".")):
            raise InvalidEnvelope(f"type must be <service>.<entity>.<verb>, got {self.type!r}")
        if self.version < 1:
            raise InvalidEnvelope("version must be >= 1")

    def to_dict(self) -> dict[str, Any]:
        # By hand: dataclasses.asdict deep-copies field by field, a tenth of a publish.
        return {
            "type": self.type,
            "data": copy.deepcopy(self.data),
            "aggregate_id": self.aggregate_id,
            "aggregate_version": self.aggregate_version,
            "producer": self.producer,
            "version": self.version,
            "id": str(self.id),
            "occurred_at": self.occurred_at.isoformat(),
            "traceparent": self.traceparent,
            "request_id": self.request_id,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_dict(cls, payload: Mapping[str, Any]) -> Envelope:
        try:
            return cls(
                id=uuid.UUID(str(payload["id"])),
                type=_typed(payload, "type", str),
                version=_typed(payload, "version", int),
                occurred_at=datetime.fromisoformat(_typed(payload, "occurred_at", str)),
                producer=_typed(payload, "producer", str),
                aggregate_id=_typed(payload, "aggregate_id", str),
                aggregate_version=_typed(payload, "aggregate_version", int),
                traceparent=_typed(payload, "traceparent", str),
                request_id=_optional_str(payload, "request_id"),
                data=_typed(payload, "data", dict),
            )
        except (KeyError, ValueError, TypeError) as error:
            raise InvalidEnvelope(f"malformed envelope: {error}") from error

    @classmethod
    def from_json(cls, raw: str | bytes) -> Envelope:
        try:
            payload = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise InvalidEnvelope(f"not JSON: {error}") from error
        if not isinstance(payload, dict):
            raise InvalidEnvelope("envelope must be a JSON object")
        return cls.from_dict(payload)


def _typed(payload: Mapping[str, Any], key: str, kind: type[_T]) -> _T:
    value = payload[key]
    # bool is an int subclass; a boolean version is still malformed.
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"{key} must be {kind.__name__}")
    return value


def _optional_str(payload: Mapping[str, Any], key: str) -> str | None:
    value = payload.get(key)
    if value is None:
        return None
    return _typed(payload, key, str)
