"""The staff admin's sign-in on accounts itself: Django checks the password (through
django-axes' lockout, like the token API), and a user with MFA types an authenticator or
recovery code too, checked and throttled like a login challenge's."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm

from accounts.clients import ClientInfo, client_info
from accounts.mfa.services import mfa_enabled, mfa_login_code_verify
from accounts.users.models import User
from platform_common.admin import (
    LOGIN_WITH_CODE_TEMPLATE,
    MFA_REQUIRED_MESSAGE,
    second_factor_field,
)
from platform_common.api.errors import ApplicationError


class MfaAdminLoginForm(AdminAuthenticationForm):
    code = second_factor_field()
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "mfa_required": MFA_REQUIRED_MESSAGE,
        "mfa_code_invalid": "The code is incorrect, or too many were tried; wait and retry.",
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not mfa_enabled(user_id=user.id):
            return
        code = (self.cleaned_data.get("code") or "").strip()
        if not code:
            raise forms.ValidationError(self.error_messages["mfa_required"], code="mfa_required")
        # The admin's login view always passes its request.
        client = client_info(self.request) if self.request else ClientInfo(None, "")
        try:
            mfa_login_code_verify(user_id=user.id, code=code, client=client)
        except ApplicationError as refusal:
            raise forms.ValidationError(
                self.error_messages["mfa_code_invalid"], code="mfa_code_invalid"
            ) from refusal


def use_mfa_login(site: admin.AdminSite) -> None:
    """Make ``site`` (accounts' admin) ask staff with MFA for their second factor."""
    site.login_form = MfaAdminLoginForm
    site.login_template = LOGIN_WITH_CODE_TEMPLATE
