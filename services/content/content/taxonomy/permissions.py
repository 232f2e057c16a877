from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.views import APIView

from platform_common.auth.permissions import HasRole, Role

# Who curates the taxonomy and moderates the workflow.
EDITORS = frozenset({Role.EDITOR, Role.ADMIN})


class IsEditorOrReadOnly(HasRole):
    """Reads for anyone; writes for editors and admins (anonymous writes are a 401)."""

    required_roles = EDITORS

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in SAFE_METHODS or super().has_permission(request, view)


# IsAuthenticatedOrReadOnly first: an anonymous write is a 401, and the schema marks reads
# as open to anonymous callers.
EDITOR_WRITES: list[type[BasePermission]] = [IsAuthenticatedOrReadOnly, IsEditorOrReadOnly]
