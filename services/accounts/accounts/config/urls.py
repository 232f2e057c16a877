from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from accounts.tokens.apis import JwksApi

urlpatterns = [
    path("", include("platform_common.health")),
    path(".well-known/jwks.json", JwksApi.as_view(), name="jwks"),
    path("api/accounts/", include("accounts.users.urls")),
    path("api/accounts/", include("accounts.tokens.urls")),
    path("api/accounts/schema/", SpectacularAPIView.as_view(), name="schema"),
]

handler400 = "platform_common.api.errors.handler400"
handler403 = "platform_common.api.errors.handler403"
handler404 = "platform_common.api.errors.handler404"
handler500 = "platform_common.api.errors.handler500"
