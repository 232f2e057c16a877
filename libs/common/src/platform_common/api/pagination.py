"""Pagination every list endpoint shares: numbered pages, or cursors for feeds.

Malformed paging parameters are a 400 ``validation_error`` on the parameter; a well-formed
page past the end (or a cursor this API never issued) is a 404 ``not_found``. The OpenAPI
parameters say the same (``minimum: 1``, the cursor's alphabet).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
PAGE_SIZE_PARAM = "page_size"
# Cursors are URL-safe base64 (RFC 4648 §5), as DRF encodes them.
CURSOR_PATTERN = r"^[A-Za-z0-9_=-]+$"


def _positive_int(request: Request, name: str) -> int | None:
    """The query parameter ``name`` as an integer ≥ 1; None when absent; 400 otherwise."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw.isascii() and raw.isdigit() and int(raw) >= 1:
        return int(raw)
    raise ValidationError(
        {name: [ErrorDetail("A whole number of at least 1 is required.", code="invalid")]}
    )


class PageSizeMixin:
    """``?page_size=`` of both paginators: a whole number ≥ 1, capped at ``MAX_PAGE_SIZE``."""

    page_size: int | None = DEFAULT_PAGE_SIZE
    page_size_query_param: str | None = PAGE_SIZE_PARAM
    max_page_size: int | None = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int | None:
        requested = _positive_int(request, PAGE_SIZE_PARAM)
        return min(requested, MAX_PAGE_SIZE) if requested is not None else self.page_size

    def page_size_parameter(self) -> dict[str, Any]:
        return {
            "name": PAGE_SIZE_PARAM,
            "required": False,
            "in": "query",
            "description": (
                f"Results per page ({DEFAULT_PAGE_SIZE} by default; more than "
                f"{MAX_PAGE_SIZE} gives {MAX_PAGE_SIZE})."
            ),
            "schema": {"type": "integer", "minimum": 1},
        }


class PageNumberPagination(PageSizeMixin, pagination.PageNumberPagination):
    """``?page=N&page_size=M`` with ``M`` capped at 100."""

    # Pages are numbers, nothing else ("last" would be a second spelling to document).
    last_page_strings = ()

    def get_page_number(self, request: Request, paginator: Paginator[Any]) -> int:
        return _positive_int(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1; a page past the last one is a 404.",
                "schema": {"type": "integer", "minimum": 1},
            },
            self.page_size_parameter(),
        ]


class CursorPagination(PageSizeMixin, pagination.CursorPagination):
    """Opaque cursors, newest first: stable under inserts, no COUNT(*)."""

    ordering = "-created_at"

    def get_ordering(
        self, request: Request, queryset: QuerySet[Any], view: APIView
    ) -> tuple[str, ...]:
        # A list its selector ordered (say ?ordering=title) is paged in that order.
        requested = tuple(str(field) for field in queryset.query.order_by)
        return requested or tuple(super().get_ordering(request, queryset, view))

    def decode_cursor(self, request: Request) -> pagination.Cursor | None:
        raw = request.query_params.get(self.cursor_query_param)
        if raw is not None and not re.fullmatch(CURSOR_PATTERN, raw):
            raise ValidationError(
                {self.cursor_query_param: [ErrorDetail("Malformed cursor.", code="invalid")]}
            )
        return super().decode_cursor(request)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "The `next` or `previous` link's cursor; one this API did not issue is a 404."
                ),
                "schema": {"type": "string", "pattern": CURSOR_PATTERN},
            },
            self.page_size_parameter(),
        ]


def paginated_response(
    *,
    view: APIView,
    request: Request,
    queryset: QuerySet[Any],
    serializer_class: type[BaseSerializer[Any]],
) -> Response:
    """One page of ``queryset`` rendered by ``serializer_class``, in the envelope of the
    view's ``pagination_class`` (which the schema generator reads too).

    The serializer gets the request in its context, so ``?fields=`` applies.
    """
    pagination_class: type[pagination.BasePagination] | None = getattr(
        view, "pagination_class", None
    )
    if pagination_class is None:
        raise TypeError(f"{type(view).__name__} declares no pagination_class")
    paginator = pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    serializer = serializer_class(page, many=True, context={"request": request})
    response: Response = paginator.get_paginated_response(serializer.data)
    return response
