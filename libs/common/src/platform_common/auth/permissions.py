"""Role checks on the verified token's ``roles`` claim."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from platform_common.auth.jwt import Principal


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
