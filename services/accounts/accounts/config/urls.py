from django.contrib import admin
from django.urls import path

from accounts.mfa.admin_login import use_mfa_login
from accounts.tokens.apis import JwksApi
from platform_common.api.urls import (  # noqa: F401
    handler400,
    handler403,
    handler404,
    handler500,
    service_urlpatterns,
)

use_mfa_login(admin.site)

urlpatterns = service_urlpatterns(
    service="accounts",
    api=[
        "accounts.users.urls",
        "accounts.tokens.urls",
        "accounts.mfa.urls",
        "accounts.audit.urls",
        "accounts.teams.urls",
    ],
    unversioned=[
        path(".well-known/jwks.json", JwksApi.as_view(), name="jwks"),
        path("admin/", admin.site.urls),
    ],
)
