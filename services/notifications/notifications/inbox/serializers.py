"""The public shape of a notification, shared by the REST API and the WebSocket push."""

from notifications.inbox.models import Notification
from platform_common.api.serializers import BaseModelSerializer


class NotificationOutputSerializer(BaseModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "sequence",
            "kind",
            "title",
            "body",
            "data",
            "link",
            "read_at",
            "created_at",
        ]
        read_only_fields = fields
