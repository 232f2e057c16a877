"""Role and team checks on the verified token's claims, for views and for single objects.

Object-level rules are written once, as predicates, and used both ways: ``owner_or_role``
for one object in hand, ``owner_or_role_filter`` for a queryset, so a list and a single
read apply the very same rule."""

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


class TeamRole(StrEnum):
    """A member's role inside one team, as accounts grants it and tokens carry it."""

    MEMBER = "member"
    LEAD = "lead"  # also manages the team's shared things


# ``{"<team id>": "<team role>"}``; absent when the user is in more teams than
# MAX_TOKEN_TEAMS, to keep tokens small: team checks then refuse (deny by default).
TEAMS_CLAIM = "teams"
MAX_TOKEN_TEAMS = 20


def principal_teams(principal: Principal) -> dict[str, str]:
    """The caller's teams and their role in each, from the token (empty without the claim)."""
    teams = principal.claims.get(TEAMS_CLAIM)
    if not isinstance(teams, dict):
        return {}
    return {str(team): str(role) for team, role in teams.items() if isinstance(role, str)}


def is_team_member(
    principal: Principal | None, team_id: object, *, roles: Iterable[str] | None = None
) -> bool:
    """Whether the caller is in the team (with one of ``roles`` when given)."""
    if principal is None:
        return False
    role = principal_teams(principal).get(str(team_id))
    return role is not None and (roles is None or role in set(roles))


def owner_or_role(principal: Principal | None, *, owner_id: object, roles: Iterable[str]) -> bool:
    """The object-level rule "the caller owns it, or holds one of ``roles``", for one object."""
    if principal is None:
        return False
    return principal.has_role(*roles) or str(principal.id) == str(owner_id)


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


class OwnerOrRole(BasePermission):
    """DRF object permission: the object's ``owner_field`` is the caller, or the caller
    holds one of ``roles``. ``permission_classes = [OwnerOrRole.of("author_id", Role.EDITOR)]``.
    """

    owner_field: ClassVar[str] = ""
    roles: ClassVar[frozenset[str]] = frozenset()
    message = "Only the owner, or a holder of the role this action requires, may do this."

    @classmethod
    def of(cls, owner_field: str, *roles: str) -> type[OwnerOrRole]:
        name = f"OwnerOrRole_{owner_field}_" + "_".join(sorted(roles))
        return type(name, (cls,), {"owner_field": owner_field, "roles": frozenset(roles)})

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        user: Any = request.user
        principal = user if isinstance(user, Principal) else None
        return owner_or_role(principal, owner_id=getattr(obj, self.owner_field), roles=self.roles)
