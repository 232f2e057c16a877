from django.contrib import admin
from django.urls import path

from platform_common.admin.accounts_login import use_accounts_login
from platform_common.api.urls import (  # noqa: F401
    handler400,
    handler403,
    handler404,
    handler500,
    service_urlpatterns,
)

use_accounts_login(admin.site)

urlpatterns = service_urlpatterns(
    service="notifications",
    api=[
        "notifications.inbox.urls",
        "notifications.subscriptions.urls",
        "notifications.preferences.urls",
        "notifications.webhooks.urls",
        "notifications.delivery.urls",
    ],
    unversioned=[path("admin/", admin.site.urls)],
)
