"""The inbox REST API: the caller's own notifications only."""

from typing import Any
from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.inbox.selectors import notification_list, notification_unread_count
from notifications.inbox.serializers import NotificationOutputSerializer
from notifications.inbox.services import (
    notification_delete,
    notification_mark_all_read,
    notification_mark_read,
)
from notifications.inbox.tickets import ws_ticket_issue
from platform_common.api.pagination import CursorPagination, paginated_response
from platform_common.api.serializers import InputSerializer
from platform_common.auth.drf import request_principal

NO_STORE = {"Cache-Control": "no-store"}


class NoInputSerializer(InputSerializer):
    """Actions that take no body still refuse one with fields in it."""


class NotificationListApi(APIView):
    # Read by the view and by the schema generator, which then documents the page envelope.
    pagination_class = CursorPagination

    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        # Not an InputSerializer: the paginator reads its own parameters (cursor, page_size).
        unread = serializers.BooleanField(required=False)

    @extend_schema(
        operation_id="notifications_list",
        tags=["notifications"],
        parameters=[FilterSerializer],
        responses=NotificationOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        # A plain dict: DRF reads a boolean missing from a QueryDict as False.
        filters = self.FilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        notifications = notification_list(
            user_id=request_principal(request).id, unread=filters.validated_data.get("unread")
        )
        return paginated_response(
            view=self,
            request=request,
            queryset=notifications,
            serializer_class=NotificationOutputSerializer,
        )


class NotificationMarkReadApi(APIView):
    @extend_schema(
        operation_id="notifications_mark_read",
        tags=["notifications"],
        request=None,
        responses=NotificationOutputSerializer,
    )
    def post(self, request: Request, notification_id: UUID) -> Response:
        NoInputSerializer(data=request.data).is_valid(raise_exception=True)
        notification = notification_mark_read(
            user_id=request_principal(request).id, notification_id=notification_id
        )
        return Response(NotificationOutputSerializer(notification).data)


class NotificationMarkAllReadApi(APIView):
    class OutputSerializer(serializers.Serializer[dict[str, Any]]):
        updated = serializers.IntegerField()

    @extend_schema(
        operation_id="notifications_mark_all_read",
        tags=["notifications"],
        request=None,
        responses=OutputSerializer,
    )
    def post(self, request: Request) -> Response:
        NoInputSerializer(data=request.data).is_valid(raise_exception=True)
        updated = notification_mark_all_read(user_id=request_principal(request).id)
        return Response(self.OutputSerializer({"updated": updated}).data)


class NotificationUnreadCountApi(APIView):
    # Named apart from the mark-all-read output: both would be the schema's "Output".
    class UnreadCountOutputSerializer(serializers.Serializer[dict[str, Any]]):
        unread = serializers.IntegerField()

    @extend_schema(
        operation_id="notifications_unread_count",
        tags=["notifications"],
        responses=UnreadCountOutputSerializer,
    )
    def get(self, request: Request) -> Response:
        unread = notification_unread_count(user_id=request_principal(request).id)
        return Response(self.UnreadCountOutputSerializer({"unread": unread}).data)


class NotificationDetailApi(APIView):
    @extend_schema(
        operation_id="notifications_delete",
        tags=["notifications"],
        request=None,
        responses={status.HTTP_204_NO_CONTENT: None},
    )
    def delete(self, request: Request, notification_id: UUID) -> Response:
        notification_delete(user_id=request_principal(request).id, notification_id=notification_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WsTicketApi(APIView):
    """A single-use ticket to open ``/ws/notifications/?ticket=`` without a token in the URL."""

    class WsTicketOutputSerializer(serializers.Serializer[dict[str, Any]]):
        ticket = serializers.CharField()
        expires_in = serializers.IntegerField(help_text="Seconds the ticket can be used in.")

    @extend_schema(
        operation_id="notifications_ws_ticket",
        tags=["notifications"],
        request=None,
        responses={201: WsTicketOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        NoInputSerializer(data=request.data).is_valid(raise_exception=True)
        issued = ws_ticket_issue(principal=request_principal(request))
        data = {"ticket": issued.ticket, "expires_in": issued.expires_in}
        # A ticket is a credential: no shared cache may keep it.
        return Response(self.WsTicketOutputSerializer(data).data, status=201, headers=NO_STORE)
