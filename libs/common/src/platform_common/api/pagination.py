"""Pagination every list endpoint shares: numbered pages, or cursors for feeds."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import pagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=N&page_size=M`` with ``M`` capped at 100."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class CursorPagination(pagination.CursorPagination):
    """Opaque cursors, newest first: stable under inserts, no COUNT(*)."""

    ordering = "-created_at"
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def paginated_response(
    *,
    pagination_class: type[pagination.BasePagination],
    serializer_class: type[BaseSerializer[Any]],
    queryset: QuerySet[Any],
    request: Request,
    view: APIView,
) -> Response:
    """One page of ``queryset`` rendered by ``serializer_class``, in the paginator's envelope.

    The serializer gets the request in its context, so ``?fields=`` applies.
    """
    paginator = pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    serializer = serializer_class(page, many=True, context={"request": request})
    response: Response = paginator.get_paginated_response(serializer.data)
    return response
