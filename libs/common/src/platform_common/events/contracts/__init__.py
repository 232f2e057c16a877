"""JSON Schemas of every event type and version: ``contracts/<type>/v<version>.json``.

Imports without Django. Producers validate before writing the outbox, consumers on receipt.
A published version never changes: ``published.lock.json`` pins each schema's checksum
and a test fails when a pinned schema changes; a new version is a new file.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from platform_common.events.envelope import Envelope

CONTRACTS_DIR = Path(__file__).parent
LOCK_FILE = CONTRACTS_DIR / "published.lock.json"


class ContractError(ValueError):
    """Raised when an event has no contract or its data breaks it."""


def schema_path(event_type: str, version: int) -> Path:
    return CONTRACTS_DIR / event_type / f"v{version}.json"


def known_contracts() -> list[tuple[str, int]]:
    """Every (type, version) that has a schema file, sorted."""
    return sorted(
        (path.parent.name, int(path.stem.removeprefix("v")))
        for path in CONTRACTS_DIR.glob("*/v*.json")
    )


@cache
def _validator(event_type: str, version: int) -> Draft202012Validator:
    path = schema_path(event_type, version)
    if not path.is_file():
        raise ContractError(f"no contract for {event_type} v{version}")
    schema = json.loads(path.read_text())
    return Draft202012Validator(schema, format_checker=FormatChecker())


def validate_data(*, event_type: str, version: int, data: dict[str, Any]) -> None:
    errors = sorted(_validator(event_type, version).iter_errors(data), key=_error_path)
    if errors:
        details = "; ".join(
            f"{_error_path(error) or '<root>'}: {error.message}" for error in errors
        )
        raise ContractError(f"{event_type} v{version} data is invalid: {details}")


def validate(envelope: Envelope) -> None:
    validate_data(event_type=envelope.type, version=envelope.version, data=envelope.data)


def schema_checksum(event_type: str, version: int) -> str:
    """sha256 of the canonical JSON, so reformatting a schema is not a change."""
    schema = json.loads(schema_path(event_type, version).read_text())
    canonical = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def published_checksums() -> dict[str, str]:
    """``{"<type>/v<version>": checksum}`` of every published contract."""
    locked: dict[str, str] = json.loads(LOCK_FILE.read_text())
    return locked


def lock_key(event_type: str, version: int) -> str:
    return f"{event_type}/v{version}"


def _error_path(error: ValidationError) -> str:
    return ".".join(str(part) for part in error.absolute_path)
