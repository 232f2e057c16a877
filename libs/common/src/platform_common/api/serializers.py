"""Serializer bases: sparse fieldsets for output, strict unknown-key rejection for input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

FIELDS_QUERY_PARAM = "fields"


class SparseFieldsMixin(serializers.Serializer[Any]):
    """``?fields=id,title`` keeps only those fields; an unknown name, or none, is a 400 on
    ``fields``.

    Applies to the top-level serializer (and each item of a list), the one that receives the
    request in its context.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        raw = request.query_params.get(FIELDS_QUERY_PARAM) if request is not None else None
        if raw is None:
            return
        wanted = {name.strip() for name in raw.split(",") if name.strip()}
        if not wanted:
            raise serializers.ValidationError(
                {FIELDS_QUERY_PARAM: [ErrorDetail("Name at least one field.", code="required")]}
            )
        unknown = sorted(wanted - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {
                    FIELDS_QUERY_PARAM: [
                        ErrorDetail(f"Unknown field: {name}.", code="invalid_choice")
                        for name in unknown
                    ]
                }
            )
        for name in set(self.fields) - wanted:
            self.fields.pop(name)


class BaseModelSerializer(SparseFieldsMixin, serializers.ModelSerializer[Any]):
    """Output serializer for models, with ``?fields=`` sparse fieldsets."""


class RejectUnknownFieldsMixin(serializers.Serializer[Any]):
    """Input keys that are not writable fields fail with ``unknown_field`` (typos, read-only
    fields, mass-assignment attempts) instead of being silently dropped; a text field given
    anything but a string (DRF would turn ``0`` into ``"0"``) fails with ``invalid``."""

    def to_internal_value(self, data: Any) -> Any:
        unknown: dict[str, list[ErrorDetail]] = {}
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = {
                str(key): [ErrorDetail("Unknown or read-only field.", code="unknown_field")]
                for key in data
                if key not in writable
            }
            unknown.update(_non_strings(self, data))
            unknown.update(_too_long(self, data))
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown}) from exc
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    """Base of every input serializer in ``apis.py``."""


def _non_strings(
    serializer: serializers.Serializer[Any], data: Mapping[str, Any]
) -> dict[str, list[ErrorDetail]]:
    """The text fields of ``data`` holding something else than a string (or an allowed null)."""
    return {
        name: [ErrorDetail("Not a valid string.", code="invalid")]
        for name, field in serializer.fields.items()
        if isinstance(field, serializers.CharField)
        and not field.read_only
        and name in data
        and not isinstance(data[name], str)
        and not (data[name] is None and field.allow_null)
    }


def _too_long(
    serializer: serializers.Serializer[Any], data: Mapping[str, Any]
) -> dict[str, list[ErrorDetail]]:
    """Text longer than its field's ``max_length`` as sent: DRF measures it after trimming
    the surrounding whitespace, which would let through what the schema's ``maxLength``
    (of the value as sent) refuses."""
    return {
        name: [
            ErrorDetail(
                f"Ensure this field has no more than {field.max_length} characters.",
                code="max_length",
            )
        ]
        for name, field in serializer.fields.items()
        if isinstance(field, serializers.CharField)
        and not field.read_only
        and field.max_length is not None
        and isinstance(data.get(name), str)
        and len(data[name]) > field.max_length
    }
