"""Input fields that take only the JSON type the schema documents: DRF's UUID field also
takes integers (so ``false``) and its boolean field the strings "true", "on", 1..."""

from typing import Any
from uuid import UUID

from rest_framework import serializers


class StrictUUIDField(serializers.UUIDField):
    def to_internal_value(self, data: Any) -> UUID:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data
