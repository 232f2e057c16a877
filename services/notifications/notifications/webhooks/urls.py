from django.urls import path

from notifications.webhooks.apis import (
    WebhookEndpointDetailApi,
    WebhookEndpointListApi,
    WebhookEndpointRotateSecretApi,
)

urlpatterns = [
    path("webhooks/", WebhookEndpointListApi.as_view(), name="webhook-list"),
    path("webhooks/<uuid:endpoint_id>/", WebhookEndpointDetailApi.as_view(), name="webhook-detail"),
    path(
        "webhooks/<uuid:endpoint_id>/rotate-secret/",
        WebhookEndpointRotateSecretApi.as_view(),
        name="webhook-rotate-secret",
    ),
]
