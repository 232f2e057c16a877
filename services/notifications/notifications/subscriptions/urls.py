from django.urls import path

from notifications.subscriptions.apis import (
    SubmissionsSubscriptionApi,
    SubscriptionDetailApi,
    SubscriptionListApi,
)

urlpatterns = [
    path("subscriptions/", SubscriptionListApi.as_view(), name="subscription-list"),
    path(
        "subscriptions/submissions/",
        SubmissionsSubscriptionApi.as_view(),
        name="subscription-submissions",
    ),
    path(
        "subscriptions/<uuid:subscription_id>/",
        SubscriptionDetailApi.as_view(),
        name="subscription-detail",
    ),
]
