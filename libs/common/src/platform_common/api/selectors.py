"""Reads every service's selectors share."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet

from platform_common.api.errors import NotFoundError
from platform_common.problems import ProblemCode

M = TypeVar("M", bound=Model)


def get_object_or_not_found(
    source: type[M] | QuerySet[M], /, *, message: str = "Not found.", **lookup: Any
) -> M:
    """The one row ``source`` holds for ``lookup``, else ``NotFoundError`` (404 ``not_found``).

    Pass the queryset the caller may see: a row outside it is reported exactly like a
    missing one, so its existence never leaks.
    """
    queryset = source._default_manager.all() if isinstance(source, type) else source
    try:
        return queryset.get(**lookup)
    except ObjectDoesNotExist as error:
        raise NotFoundError(message, code=ProblemCode.NOT_FOUND) from error
