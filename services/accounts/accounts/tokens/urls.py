from django.urls import path

from accounts.tokens.apis import (
    LogoutAllApi,
    LogoutApi,
    SessionDetailApi,
    SessionListApi,
    TokenObtainApi,
    TokenRefreshApi,
)

urlpatterns = [
    path("token/", TokenObtainApi.as_view(), name="token-obtain"),
    path("token/refresh/", TokenRefreshApi.as_view(), name="token-refresh"),
    path("logout/", LogoutApi.as_view(), name="logout"),
    path("logout-all/", LogoutAllApi.as_view(), name="logout-all"),
    path("sessions/", SessionListApi.as_view(), name="session-list"),
    path("sessions/<uuid:session_id>/", SessionDetailApi.as_view(), name="session-detail"),
]
