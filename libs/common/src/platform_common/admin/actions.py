"""Bulk actions every service's admin shares."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse


def csv_export_action(
    fields: Sequence[str], *, filename: str
) -> Callable[[admin.ModelAdmin[Any], HttpRequest, QuerySet[Any]], HttpResponse]:
    """A bulk action answering the selected rows' ``fields`` as a CSV file. A field name
    may follow a relation (``team__name``); values are read in one query."""

    def export_csv(
        modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        writer = csv.writer(response)
        writer.writerow(fields)
        for row in queryset.values_list(*fields):
            writer.writerow([_csv_cell(value) for value in row])
        return response

    export_csv.short_description = "Export selected as CSV"  # type: ignore[attr-defined]
    return export_csv


def _csv_cell(value: Any) -> str:
    text = "" if value is None else ";".join(value) if isinstance(value, list) else str(value)
    # A cell starting like a formula runs in a spreadsheet (CSV injection): quote it out.
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text
