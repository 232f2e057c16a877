"""Authentication backend for django.contrib.auth.authenticate(): email and password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest

from accounts.users.models import User
from accounts.users.selectors import user_get_by_email


class EmailBackend(ModelBackend):
    """Checks ``email`` (any case) and ``password``; runs after django-axes' lockout backend."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = kwargs.get("email", username)
        if not isinstance(email, str) or password is None:
            return None
        user = user_get_by_email(email=email)
        if user is None:
            # Hash anyway so an unknown email costs as much time as a wrong password.
            make_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
