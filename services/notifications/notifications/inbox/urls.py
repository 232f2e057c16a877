from django.urls import path

from notifications.inbox.apis import (
    NotificationListApi,
    NotificationMarkAllReadApi,
    NotificationMarkReadApi,
    WsTicketApi,
)

urlpatterns = [
    path("", NotificationListApi.as_view(), name="notification-list"),
    path("ws-ticket/", WsTicketApi.as_view(), name="notification-ws-ticket"),
    path("read-all/", NotificationMarkAllReadApi.as_view(), name="notification-read-all"),
    path(
        "<uuid:notification_id>/read/",
        NotificationMarkReadApi.as_view(),
        name="notification-read",
    ),
]
