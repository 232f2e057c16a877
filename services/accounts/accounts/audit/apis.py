"""HTTP API of the audit log: the caller's recent security activity."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.audit.models import AuditEntry
from accounts.audit.selectors import audit_list_for_user
from platform_common.api.pagination import PageNumberPagination, paginated_response
from platform_common.auth.drf import request_principal


class MyActivityApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema_serializer(component_name="AuditEntryOutput")
    class OutputSerializer(serializers.ModelSerializer[AuditEntry]):
        """One security event of the caller's account: sign-ins and failures, lockouts,
        ended sessions, password, MFA and role changes, with address and device."""

        class Meta:
            model = AuditEntry
            fields = ("id", "event", "occurred_at", "ip_address", "user_agent", "details")

    @extend_schema(operation_id="my_activity", responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated_response(
            view=self,
            request=request,
            queryset=audit_list_for_user(user_id=request_principal(request).id),
            serializer_class=self.OutputSerializer,
        )
