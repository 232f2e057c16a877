"""Fan-out of inbox changes to the user's open WebSockets through the channel layer."""

import logging
from uuid import UUID

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from notifications.inbox.models import Notification
from notifications.inbox.serializers import NotificationOutputSerializer

logger = logging.getLogger(__name__)

NOTIFICATION_CREATED = "notification.created"


def user_group_name(user_id: UUID) -> str:
    return f"user.{user_id}"


def notification_created_push(*, notification: Notification) -> None:
    """Send ``notification`` to every socket of its user.

    Best effort: the row is already committed and listed by the REST API, so a channel
    layer failure is logged instead of failing the caller (and redelivering its event);
    a socket that sees a later sequence number fetches the ones it missed (consumers.py).
    """
    message = {
        "type": NOTIFICATION_CREATED,
        "sequence": notification.sequence,
        "notification": NotificationOutputSerializer(notification).data,
    }
    try:
        async_to_sync(get_channel_layer().group_send)(
            user_group_name(notification.user_id), message
        )
    except Exception:
        logger.warning(
            "WebSocket push failed",
            exc_info=True,
            extra={"notification_id": str(notification.id), "user_id": str(notification.user_id)},
        )
