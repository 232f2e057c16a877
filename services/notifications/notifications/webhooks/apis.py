"""Webhook endpoints of the caller (authors, editors and admins): register, list, rotate, delete."""

from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.webhooks.models import WebhookEndpoint
from notifications.webhooks.services import (
    EndpointWithSecret,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate_secret,
)
from platform_common.api.serializers import InputSerializer
from platform_common.auth.drf import request_principal
from platform_common.auth.permissions import HasRole

# Readers only read: whoever writes (or moderates) may be told by webhook.
WEBHOOK_ROLES = ("author", "editor", "admin")


class WebhookEndpointOutputSerializer(serializers.ModelSerializer[WebhookEndpoint]):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "event_types", "disabled_at", "consecutive_failures", "created_at"]
        read_only_fields = fields


class WebhookEndpointWithSecretOutputSerializer(WebhookEndpointOutputSerializer):
    secret = serializers.SerializerMethodField(help_text="Shown once: keep it to check signatures.")

    class Meta(WebhookEndpointOutputSerializer.Meta):
        fields = [*WebhookEndpointOutputSerializer.Meta.fields, "secret"]
        read_only_fields = fields

    def get_secret(self, endpoint: WebhookEndpoint) -> str:
        secret: str = self.context["secret"]
        return secret


def _with_secret(created: EndpointWithSecret) -> dict[str, Any]:
    serializer = WebhookEndpointWithSecretOutputSerializer(
        created.endpoint, context={"secret": created.secret}
    )
    return dict(serializer.data)


class WebhookEndpointInputSerializer(InputSerializer):
    url = serializers.URLField(max_length=2000)
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=64), min_length=1, max_length=50
    )


class WebhookEndpointListApi(APIView):
    permission_classes = [HasRole.any_of(*WEBHOOK_ROLES)]

    @extend_schema(
        operation_id="webhooks_list",
        tags=["webhooks"],
        responses=WebhookEndpointOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        endpoints = WebhookEndpoint.objects.filter(user_id=request_principal(request).id).order_by(
            "created_at"
        )
        return Response(WebhookEndpointOutputSerializer(endpoints, many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        tags=["webhooks"],
        request=WebhookEndpointInputSerializer,
        responses={201: WebhookEndpointWithSecretOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = WebhookEndpointInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = webhook_endpoint_create(
            user_id=request_principal(request).id, **serializer.validated_data
        )
        return Response(_with_secret(created), status=201, headers={"Cache-Control": "no-store"})


class WebhookEndpointRotateSecretApi(APIView):
    permission_classes = [HasRole.any_of(*WEBHOOK_ROLES)]

    @extend_schema(
        operation_id="webhooks_rotate_secret",
        tags=["webhooks"],
        request=None,
        responses=WebhookEndpointWithSecretOutputSerializer,
    )
    def post(self, request: Request, endpoint_id: UUID) -> Response:
        rotated = webhook_endpoint_rotate_secret(
            user_id=request_principal(request).id, endpoint_id=endpoint_id
        )
        return Response(_with_secret(rotated), headers={"Cache-Control": "no-store"})


class WebhookEndpointDetailApi(APIView):
    permission_classes = [HasRole.any_of(*WEBHOOK_ROLES)]

    @extend_schema(operation_id="webhooks_delete", tags=["webhooks"], responses={204: None})
    def delete(self, request: Request, endpoint_id: UUID) -> Response:
        webhook_endpoint_delete(user_id=request_principal(request).id, endpoint_id=endpoint_id)
        return Response(status=204)
