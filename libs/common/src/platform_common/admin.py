"""Admin pieces every service's ``admin.py`` may share."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import label_for_field, lookup_field
from django.db.models import Model, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import capfirst

# Rows fetched per round trip while streaming: a large export never sits in memory.
CSV_CHUNK_SIZE = 2000


class _Echo:
    """A file-like object whose ``write`` returns the line: csv.writer then yields rows."""

    def write(self, value: str) -> str:
        return value


@admin.action(description="Export the selected rows as CSV")
def export_as_csv(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
) -> StreamingHttpResponse:
    """The selected rows, one CSV line each, with the columns of the change list
    (``list_display``; a callable's header is its ``short_description``)."""
    columns = [name for name in modeladmin.get_list_display(request) if name != "action_checkbox"]
    model: type[Model] = modeladmin.model

    def header(name: Any) -> str:
        return str(capfirst(str(label_for_field(name, model, modeladmin))))

    def cell(row: Model, name: Any) -> str:
        _, _, value = lookup_field(name, row, modeladmin)
        return "" if value is None else str(value)

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield writer.writerow([header(name) for name in columns])
        for row in queryset.iterator(chunk_size=CSV_CHUNK_SIZE):
            yield writer.writerow([cell(row, name) for name in columns])

    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    filename = f"{model._meta.model_name}-{stamp}.csv"
    return StreamingHttpResponse(
        lines(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
