from platform_common.api.urls import (  # noqa: F401
    handler400,
    handler403,
    handler404,
    handler500,
    service_urlpatterns,
)

urlpatterns = service_urlpatterns(
    service="notifications", api=["notifications.inbox.urls", "notifications.webhooks.urls"]
)
