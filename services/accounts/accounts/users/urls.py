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
from accounts.users.profile_apis import (
    AccountDeleteApi,
    AccountExportApi,
    AvatarApi,
    AvatarFileApi,
    ProfileApi,
)
from platform_common.auth.permissions import Role
from platform_common.stored_images import ImageNameConverter


class RoleConverter:
    """One of the platform's roles in a path; any other word does not match (404)."""

    regex = "|".join(role.value for role in Role)

    def to_python(self, value: str) -> Role:
        return Role(value)

    def to_url(self, value: Role) -> str:
        return value.value


register_converter(RoleConverter, "role")
register_converter(ImageNameConverter, "avatar")

urlpatterns = [
    path("register/", UserRegisterApi.as_view(), name="user-register"),
    path("me/", UserMeApi.as_view(), name="user-me"),
    path("me/profile/", ProfileApi.as_view(), name="profile"),
    path("me/avatar/", AvatarApi.as_view(), name="avatar"),
    path("me/export/", AccountExportApi.as_view(), name="account-export"),
    path("me/delete/", AccountDeleteApi.as_view(), name="account-delete"),
    path("avatars/<avatar:name>", AvatarFileApi.as_view(), name="avatar-file"),
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
