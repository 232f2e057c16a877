"""Strict validation of dashboard JSON against Grafana's published schema.

grafana-foundation-sdk's models are generated from Grafana's own schema (the kinds behind
@grafana/schema). Their from_json is lenient, so validation is two checks on top of it:
every key must survive a decode/encode round trip (an unknown or misspelled key is
dropped by the models), and every decoded value must match its field's declared type.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from typing import Any

from grafana_foundation_sdk.cog import plugins, runtime
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as model

plugins.register_default_plugins()


def validate(document: dict[str, Any]) -> list[str]:
    """Every defect of a dashboard document (empty when it is valid)."""
    decoded = model.Dashboard.from_json(document)
    errors = list(type_errors(decoded, "$"))
    encoded = json.loads(json.dumps(decoded, cls=JSONEncoder))
    errors += [f"{path}: not in the schema" for path in lost_keys(document, encoded, "$")]
    return errors


def lost_keys(original: Any, encoded: Any, path: str) -> list[str]:
    if isinstance(original, dict):
        if not isinstance(encoded, dict):
            return [path]
        found = []
        for key, value in original.items():
            if key not in encoded:
                found.append(f"{path}.{key}")
            else:
                found += lost_keys(value, encoded[key], f"{path}.{key}")
        return found
    if isinstance(original, list) and isinstance(encoded, list):
        return [
            lost
            for index, (item, again) in enumerate(zip(original, encoded, strict=False))
            for lost in lost_keys(item, again, f"{path}[{index}]")
        ]
    return []


def type_errors(value: Any, path: str) -> typing.Iterator[str]:
    """Check each attribute of a decoded model object against its declared type."""
    if isinstance(value, runtime.UnknownDataquery):
        yield f"{path}: a query of an unknown data source type (set the panel's datasource)"
        return
    hints = _hints(type(value))
    for name, hint in hints.items():
        if hasattr(value, name):
            yield from _check(getattr(value, name), hint, f"{path}.{name}")


def _hints(cls: type) -> dict[str, Any]:
    if not hasattr(cls, "to_json"):
        return {}
    try:
        return typing.get_type_hints(cls)
    except NameError:  # a forward reference the module cannot resolve: check no deeper
        return {}


def _check(value: Any, hint: Any, path: str) -> typing.Iterator[str]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        matching = [arg for arg in typing.get_args(hint) if _matches(value, arg)]
        if not matching:
            yield f"{path}: {value!r} is not {_name(hint)}"
            return
        hint = matching[0]
    if not _matches(value, hint):
        yield f"{path}: {value!r} is not {_name(hint)}"
        return
    if isinstance(value, list):
        (item_hint,) = typing.get_args(hint) or (Any,)
        for index, item in enumerate(value):
            yield from _check(item, item_hint, f"{path}[{index}]")
    elif hasattr(value, "to_json") and not isinstance(value, enum.Enum):
        yield from type_errors(value, path)


def _matches(value: Any, hint: Any) -> bool:
    if hint is Any or hint is object:
        return True
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in args)
    if origin is typing.Literal:
        return any(value == arg and type(value) is type(arg) for arg in args)
    if hint is type(None):
        return value is None
    if origin is list:
        return isinstance(value, list)
    if origin is dict:
        return isinstance(value, dict)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum_member(value, hint)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(hint, type):
        return isinstance(value, hint)
    return True  # a construct the models do not use for data: nothing to check


def _enum_member(value: Any, hint: type[enum.Enum]) -> bool:
    if isinstance(value, hint):
        return True
    if isinstance(value, bool):
        return False
    return value in {member.value for member in hint}


def _name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint)
