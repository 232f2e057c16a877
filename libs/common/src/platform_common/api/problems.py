"""Problem responses for Django: one builder shared by the DRF handler and the Django views."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse

from platform_common.problems import PROBLEM_CONTENT_TYPE, FieldError, problem_body


def problem_response(
    request: HttpRequest | None,
    *,
    status: int,
    code: str,
    detail: str,
    errors: Sequence[FieldError] | None = None,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """An ``application/problem+json`` response (a plain Django response, valid in DRF too)."""
    body = problem_body(
        status=status,
        code=code,
        detail=detail,
        instance=request.path if request is not None else None,
        errors=errors,
        extra=extra,
    )
    return HttpResponse(
        json.dumps(body, default=str),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        headers=dict(headers or {}),
    )
