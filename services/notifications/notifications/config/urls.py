from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("", include("platform_common.health")),
    path(
        "api/notifications/schema/",
        SpectacularAPIView.as_view(),
        name="schema",
    ),
    path("api/notifications/", include("notifications.inbox.urls")),
]

handler400 = "platform_common.api.errors.handler400"
handler403 = "platform_common.api.errors.handler403"
handler404 = "platform_common.api.errors.handler404"
handler500 = "platform_common.api.errors.handler500"
