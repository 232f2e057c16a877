from django.urls import path

from notifications.inbox.apis import (
    NotificationDetailApi,
    NotificationListApi,
    NotificationMarkAllReadApi,
    NotificationMarkReadApi,
    NotificationUnreadCountApi,
    WsTicketApi,
)

urlpatterns = [
    path("", NotificationListApi.as_view(), name="notification-list"),
    path("unread-count/", NotificationUnreadCountApi.as_view(), name="notification-unread-count"),
    path("<uuid:notification_id>/", NotificationDetailApi.as_view(), name="notification-detail"),
    path("ws-ticket/", WsTicketApi.as_view(), name="notification-ws-ticket"),
    path("read-all/", NotificationMarkAllReadApi.as_view(), name="notification-read-all"),
    path(
        "<uuid:notification_id>/read/",
        NotificationMarkReadApi.as_view(),
        name="notification-read",
    ),
]
