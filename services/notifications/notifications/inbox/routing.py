"""WebSocket routes of the inbox (the HTTP ones are in urls.py)."""

from django.urls import path

from notifications.inbox.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
