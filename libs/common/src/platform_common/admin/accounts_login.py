"""Staff sign-in through accounts for the admin of a service other than accounts.

A service keeps no staff passwords: its admin login form posts the typed email and
password to accounts' token endpoint, verifies the access token it gets back like any
other (JWKS), and signs in a local staff user mapped from the token's roles. The local user
has no usable password, so only this path leads in. A staff member with MFA types their
authenticator (or a recovery code) too: the form completes accounts' challenge with it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import httpx
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Permission
from django.http import HttpRequest

from platform_common.admin import (
    LOGIN_WITH_CODE_TEMPLATE,
    MFA_REQUIRED_MESSAGE,
    second_factor_field,
)
from platform_common.auth.drf import get_verifier
from platform_common.auth.jwt import InvalidToken, Principal

ACCOUNTS_LOGIN_PATH = "/api/v1/accounts/token/"
STAFF_ROLES = frozenset({"editor", "admin"})
ACCOUNTS_TIMEOUT_SECONDS = 5.0


def accounts_token_url() -> str:
    """``ACCOUNTS_TOKEN_URL``, else accounts' token endpoint at the ``JWKS_URL``'s origin
    (both are served by accounts)."""
    configured: str | None = getattr(settings, "ACCOUNTS_TOKEN_URL", None)
    if configured:
        return configured
    parts = urlsplit(settings.JWKS_URL)
    return str(urlunsplit((parts.scheme, parts.netloc, ACCOUNTS_LOGIN_PATH, "", "")))


def staff_user_for(principal: Principal, *, email: str) -> Any:
    """The local staff user of an accounts principal holding a staff role: created on first
    sign-in, its flags following the roles at each one. ``admin`` is a superuser here;
    ``editor`` is staff who may view every model."""
    user_model: Any = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username=str(principal.id), defaults={"email": email}
    )
    user.email = email
    user.is_staff = True
    user.is_superuser = principal.has_role("admin")
    user.is_active = True
    user.set_unusable_password()
    user.save()
    if not user.is_superuser:
        user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return user


def staff_principal(request: HttpRequest) -> Principal | None:
    """The accounts identity a staff member acts as in the admin (an editor; the local
    username is the accounts user id), or None for a local user not signed in that way."""
    try:
        user_id = UUID(request.user.get_username())
    except ValueError:
        return None
    return Principal(id=user_id, roles=frozenset({"editor"}))


class AccountsLoginForm(AuthenticationForm):
    """The admin login form of a service: the credentials are checked by accounts."""

    username = forms.EmailField(label="Email", max_length=254)
    code = second_factor_field()
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Email or password incorrect, or the account is not staff.",
        "mfa_required": MFA_REQUIRED_MESSAGE,
        "mfa_code_invalid": "The code is incorrect or expired; sign in again.",
        "unavailable": "Sign-in is unavailable for a moment; try again.",
    }

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email and password:
            access = self._accounts_access_token(
                email=email, password=password, code=self.cleaned_data.get("code") or ""
            )
            principal = _principal_of(access)
            if principal is None or not principal.has_role(*STAFF_ROLES):
                raise forms.ValidationError(
                    self.error_messages["invalid_login"], code="invalid_login"
                )
            user = staff_user_for(principal, email=email)
            # One backend resolves the session's user afterwards.
            user.backend = "django.contrib.auth.backends.ModelBackend"
            self.user_cache = user
        return self.cleaned_data

    def _accounts_access_token(self, *, email: str, password: str, code: str) -> str | None:
        """The access token accounts issues for these credentials (and second factor), or
        None when it refuses them (wrong, locked out, not active)."""
        token_url = accounts_token_url()
        answer = self._post(token_url, {"email": email, "password": password})
        challenge = answer.get("challenge") if answer is not None else None
        if isinstance(challenge, str):
            if not code:
                raise forms.ValidationError(
                    self.error_messages["mfa_required"], code="mfa_required"
                )
            # accounts completes a login's challenge at <token endpoint>/mfa/.
            mfa_url = f"{token_url.rstrip('/')}/mfa/"
            answer = self._post(mfa_url, {"challenge": challenge, "code": code})
            if answer is None:
                raise forms.ValidationError(
                    self.error_messages["mfa_code_invalid"], code="mfa_code_invalid"
                )
        access = answer.get("access") if answer is not None else None
        return access if isinstance(access, str) else None

    def _post(self, url: str, body: dict[str, str]) -> dict[str, Any] | None:
        """accounts' JSON answer to a 200 or 202, None to a refusal."""
        try:
            response = httpx.post(url, json=body, timeout=ACCOUNTS_TIMEOUT_SECONDS)
        except httpx.HTTPError as error:
            raise forms.ValidationError(
                self.error_messages["unavailable"], code="unavailable"
            ) from error
        if response.status_code not in (200, 202):
            return None
        answer: dict[str, Any] = response.json()
        return answer


def _principal_of(access: str | None) -> Principal | None:
    if access is None:
        return None
    try:
        return get_verifier().verify(access)
    except InvalidToken:
        return None


def use_accounts_login(site: admin.AdminSite) -> None:
    """Make ``site`` (a service's admin) sign staff in through accounts."""
    site.login_form = AccountsLoginForm
    site.login_template = LOGIN_WITH_CODE_TEMPLATE
