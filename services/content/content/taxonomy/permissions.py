from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.views import APIView

from platform_common.auth.permissions import HasRole, Role

# Who curates the taxonomy and moderates the workflow.
EDITORS = frozenset({Role.EDITOR, Role.ADMIN})
# Who writes articles: authors, and the editors and admins who may do everything they do.
WRITERS = frozenset({Role.AUTHOR, *EDITORS})


class ReadOrRoleWrites(HasRole):
    """Reads for anyone; writes for holders of ``required_roles``."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in SAFE_METHODS or super().has_permission(request, view)


def role_writes(roles: frozenset[Role]) -> list[type[BasePermission]]:
    """Reads open to anyone, writes to holders of ``roles``. IsAuthenticatedOrReadOnly first:
    an anonymous write is a 401 (a signed-in caller without the role a 403), and the schema
    marks reads as open to anonymous callers."""
    return [IsAuthenticatedOrReadOnly, ReadOrRoleWrites.any_of(*roles)]


EDITOR_WRITES = role_writes(EDITORS)
WRITER_WRITES = role_writes(WRITERS)
