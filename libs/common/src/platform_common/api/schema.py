"""OpenAPI of every service: drf-spectacular's generator plus the platform's conventions.

``build_settings`` makes ``AutoSchema`` the ``DEFAULT_SCHEMA_CLASS``. On top of what
drf-spectacular derives it documents what the library enforces, so that a client (or a
contract test) reading the schema predicts every answer:

- the problem+json errors of each operation (a ``Problem`` component): 400 when the
  operation reads a body or query parameters, 401 when it authenticates, 404 when its path
  names a resource or it pages, 413 and 415 when it reads a body, 429 everywhere (the
  gateway's rate limits); views add the statuses only their domain knows (403, 409) with
  ``problem_responses(...)``;
- input as strictly as it is checked: unknown keys are refused (``additionalProperties:
  false``), required strings are not blank (``minLength``/``pattern``), no string may
  carry a NUL character;
- ``?fields=`` on a GET whose output supports sparse fieldsets: an array of the output's
  field names, and output properties that are not ``required`` (``fields`` may leave any
  of them out).
"""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance, is_list_serializer
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import permissions, serializers

from platform_common.api.serializers import (
    FIELDS_QUERY_PARAM,
    RejectUnknownFieldsMixin,
    SparseFieldsMixin,
)
from platform_common.problems import PROBLEM_CONTENT_TYPE

Direction = Literal["request", "response"]
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Permissions whose refusal is a 401 (no caller), never a 403.
AUTHENTICATION_ONLY = (
    permissions.AllowAny,
    permissions.IsAuthenticated,
    permissions.IsAuthenticatedOrReadOnly,
)
# Postgres text cannot hold NUL; the serializer fields refuse it.
TEXT_PATTERN = r"^[^\u0000]*$"
# Whitespace is trimmed before the blank check: at least one other character.
NON_BLANK_TEXT_PATTERN = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"

PROBLEM_DESCRIPTIONS = {
    400: "Invalid request: `validation_error` (see `errors`), `unknown_field`, "
    "`malformed_json` or `bad_request`.",
    401: "`not_authenticated` (a token is required), `invalid_token` or `token_expired`.",
    403: "`permission_denied`: the caller may not do this.",
    404: "`not_found`.",
    409: "`conflict` with the current state.",
    413: "`payload_too_large`: the body exceeds the service's limit.",
    415: "`unsupported_media_type`: send `application/json`.",
    429: "`rate_limited` (the gateway's limits); `Retry-After` says when to retry.",
}


class FieldErrorSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    message = serializers.CharField()


# Built inline: a declared ``errors`` field would shadow ``Serializer.errors``.
ProblemSerializer = inline_serializer(
    name="Problem",
    fields={
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "code": serializers.CharField(help_text="Stable: switch on it."),
        "instance": serializers.CharField(allow_null=True),
        "request_id": serializers.CharField(),
        "errors": FieldErrorSerializer(many=True, required=False),
    },
)


def problem_response(status: int) -> OpenApiResponse:
    return OpenApiResponse(ProblemSerializer, description=PROBLEM_DESCRIPTIONS[status])


def problem_responses(*statuses: int) -> dict[Any, OpenApiResponse]:
    """Statuses only the domain knows, for ``extend_schema(responses={200: ..., **here})``."""
    return {(status, PROBLEM_CONTENT_TYPE): problem_response(status) for status in statuses}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for status in sorted(self._problem_statuses()):
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(  # type: ignore[no-untyped-call]
                    problem_response(status), str(status), [PROBLEM_CONTENT_TYPE], direction
                )
        return dict(sorted(responses.items()))

    def _problem_statuses(self) -> set[int]:
        statuses = {429}
        if self.method in BODY_METHODS:
            statuses |= {400, 413, 415}
        if any(parameter["in"] == "query" for parameter in self._get_parameters()):
            statuses.add(400)
        if self.view.get_authenticators():
            statuses.add(401)
        if any(
            not isinstance(permission, AUTHENTICATION_ONLY)
            for permission in self.view.get_permissions()
        ):
            statuses.add(403)
        if "{" in self.path or (self._is_list_view() and self._get_paginator() is not None):  # type: ignore[no-untyped-call]
            statuses.add(404)
        return statuses

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = list(super().get_override_parameters())
        sparse = self._sparse_output()
        if self.method == "GET" and sparse is not None:
            parameters.append(
                OpenApiParameter(
                    FIELDS_QUERY_PARAM,
                    {
                        "type": "array",
                        "items": {"type": "string", "enum": sorted(sparse.fields)},
                        "minItems": 1,
                    },
                    style="form",
                    explode=False,
                    description="Only these output fields (comma-separated), e.g. `id,title`.",
                )
            )
        return parameters

    def _sparse_output(self) -> SparseFieldsMixin | None:
        responses = self.get_response_serializers()
        if isinstance(responses, dict):
            successes = [value for code, value in responses.items() if str(code).startswith("2")]
            responses = successes[0] if successes else None
        if isinstance(responses, OpenApiResponse):
            responses = responses.response
        serializer = force_instance(responses)  # type: ignore[no-untyped-call]
        if is_list_serializer(serializer):
            serializer = serializer.child
        return serializer if isinstance(serializer, SparseFieldsMixin) else None

    def _map_serializer(
        self, serializer: Any, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer(serializer, direction, bypass_extensions)  # type: ignore[no-untyped-call]
        instance = force_instance(serializer)  # type: ignore[no-untyped-call]
        if direction == "request" and isinstance(instance, serializers.Serializer):
            _constrain_text(instance, schema)
        if direction == "request" and isinstance(instance, RejectUnknownFieldsMixin):
            schema["additionalProperties"] = False
        if direction == "response" and isinstance(instance, SparseFieldsMixin):
            schema.pop("required", None)
        return schema


def _constrain_text(serializer: serializers.Serializer[Any], schema: dict[str, Any]) -> None:
    """The text input fields of ``schema`` exactly as the serializer checks them."""
    properties: dict[str, Any] = schema.get("properties", {})
    for name, field in serializer.fields.items():
        prop = properties.get(name)
        if prop is None or field.read_only or not isinstance(field, serializers.CharField):
            continue
        # drf-spectacular documents a blank-allowing constrained string as oneOf(string,
        # empty string): both match "", which oneOf then refuses. The pattern allows "".
        alternatives = prop.pop("oneOf", None)
        if alternatives:
            prop.update(alternatives[0])
        if prop.get("type") == "string" and "pattern" not in prop:
            non_blank = not field.allow_blank and field.trim_whitespace
            prop["pattern"] = NON_BLANK_TEXT_PATTERN if non_blank else TEXT_PATTERN
