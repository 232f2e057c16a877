"""The caller's push devices: register (idempotent), list, forget."""

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.delivery.devices import (
    push_device_delete,
    push_device_list,
    push_device_register,
)
from notifications.delivery.models import PushDevice, PushPlatform
from platform_common.api.pagination import CursorPagination, paginated_response
from platform_common.api.serializers import BaseModelSerializer, InputSerializer
from platform_common.auth.drf import request_principal


class PushDeviceOutputSerializer(BaseModelSerializer):
    class Meta:
        model = PushDevice
        fields = ["id", "platform", "token", "created_at"]
        read_only_fields = fields


class PushDeviceInputSerializer(InputSerializer):
    platform = serializers.ChoiceField(choices=PushPlatform.choices)
    # FCM tokens are about 160 characters, Web Push subscriptions a few hundred.
    token = serializers.CharField(max_length=4096)


class PushDeviceListApi(APIView):
    pagination_class = CursorPagination

    @extend_schema(
        operation_id="push_devices_list",
        tags=["devices"],
        responses=PushDeviceOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        return paginated_response(
            view=self,
            request=request,
            queryset=push_device_list(user_id=request_principal(request).id),
            serializer_class=PushDeviceOutputSerializer,
        )

    @extend_schema(
        operation_id="push_devices_register",
        tags=["devices"],
        request=PushDeviceInputSerializer,
        responses={200: PushDeviceOutputSerializer, 201: PushDeviceOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = PushDeviceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device, created = push_device_register(
            user_id=request_principal(request).id, **serializer.validated_data
        )
        return Response(
            PushDeviceOutputSerializer(device).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PushDeviceDetailApi(APIView):
    @extend_schema(operation_id="push_devices_delete", tags=["devices"], responses={204: None})
    def delete(self, request: Request, device_id: UUID) -> Response:
        push_device_delete(user_id=request_principal(request).id, device_id=device_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
