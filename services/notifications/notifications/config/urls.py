from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from platform_common.api.urls import handler400, handler403, handler404, handler500  # noqa: F401

urlpatterns = [
    path("", include("platform_common.health")),
    path(
        "api/notifications/schema/",
        SpectacularAPIView.as_view(),
        name="schema",
    ),
    path("api/notifications/", include("notifications.inbox.urls")),
]
