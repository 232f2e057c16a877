from django.urls import path, register_converter

from accounts.users.apis import (
    EmailVerificationResendApi,
    EmailVerifyApi,
    PasswordChangeApi,
    PasswordResetApi,
    PasswordResetConfirmApi,
    UserMeApi,
    UserRegisterApi,
    UserRoleApi,
)
from platform_common.auth.permissions import Role


class RoleConverter:
    """One of the platform's roles in a path; any other word does not match (404)."""

    regex = "|".join(role.value for role in Role)

    def to_python(self, value: str) -> Role:
        return Role(value)

    def to_url(self, value: Role) -> str:
        return value.value


register_converter(RoleConverter, "role")

urlpatterns = [
    path("register/", UserRegisterApi.as_view(), name="user-register"),
    path("me/", UserMeApi.as_view(), name="user-me"),
    path("email/verify/", EmailVerifyApi.as_view(), name="email-verify"),
    path(
        "email/verify/resend/",
        EmailVerificationResendApi.as_view(),
        name="email-verification-resend",
    ),
    path("password/reset/", PasswordResetApi.as_view(), name="password-reset"),
    path(
        "password/reset/confirm/", PasswordResetConfirmApi.as_view(), name="password-reset-confirm"
    ),
    path("password/change/", PasswordChangeApi.as_view(), name="password-change"),
    path("users/<uuid:user_id>/roles/<role:role>/", UserRoleApi.as_view(), name="user-role"),
]
