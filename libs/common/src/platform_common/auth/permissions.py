"""Role checks on the verified token's ``roles`` claim, for views and for single objects."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, ClassVar

from django.db.models import Q
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from platform_common.auth.jwt import Principal


class Role(StrEnum):
    """The platform's roles, as accounts grants them and tokens carry them."""

    READER = "reader"  # every account: reads what is published
    AUTHOR = "author"  # writes articles
    EDITOR = "editor"  # also reads (reviews) every author's drafts
    ADMIN = "admin"  # grants and revokes roles; everything an editor may


class HasRole(BasePermission):
    """Allows principals holding any of ``required_roles``.

    Subclass with ``required_roles = frozenset({"editor"})`` or use
    ``permission_classes = [HasRole.any_of("editor", "admin")]``.
    """

    required_roles: ClassVar[frozenset[str]] = frozenset()
    message = "You do not have the role this action requires."

    @classmethod
    def any_of(cls, *roles: str) -> type[HasRole]:
        name = "HasRole_" + "_".join(sorted(roles))
        return type(name, (cls,), {"required_roles": frozenset(roles)})

    def has_permission(self, request: Request, view: APIView) -> bool:
        user: Any = request.user
        return isinstance(user, Principal) and user.has_role(*self.required_roles)


def owner_or_role_filter(
    principal: Principal | None, *, owner_field: str, roles: Iterable[str]
) -> Q:
    """The object-level rule "the caller owns the row, or holds one of ``roles``" as a
    queryset filter, so a list and a single read apply the very same rule: every row for a
    holder of ``roles``, the rows whose ``owner_field`` is the caller's id for anyone else
    signed in, none for an anonymous caller."""
    if principal is None:
        return Q(pk__in=[])
    if principal.has_role(*roles):
        # Not Q(): an empty Q vanishes when combined with another (Q(a) | Q() == Q(a)).
        return Q(pk__isnull=False)
    return Q(**{owner_field: principal.id})
