from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from accounts.tokens.apis import JwksApi
from platform_common.api.urls import handler400, handler403, handler404, handler500  # noqa: F401

urlpatterns = [
    path("", include("platform_common.health")),
    path(".well-known/jwks.json", JwksApi.as_view(), name="jwks"),
    path("api/v1/accounts/", include("accounts.users.urls")),
    path("api/v1/accounts/", include("accounts.tokens.urls")),
    path("api/v1/accounts/schema/", SpectacularAPIView.as_view(), name="schema"),
]
