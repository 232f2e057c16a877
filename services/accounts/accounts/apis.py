"""What every accounts API shares."""

from __future__ import annotations

from uuid import UUID

from django.core.validators import RegexValidator
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from platform_common.auth.jwt import Principal
from platform_common.auth.sessions import session_id_of

EMAIL_MAX_LENGTH = 254
PASSWORD_MIN_LENGTH = 8  # MinimumLengthValidator's default, which the settings keep
# The part of the password policy a schema can state, so the OpenAPI document and the API
# agree: a letter and something that is not one (NUL excluded, as in every text field).
# Django's validators then also refuse common passwords and ones too like the user's email.
PASSWORD_MIX = RegexValidator(
    r"^[^\u0000]*([A-Za-z][^\u0000]*[^A-Za-z\u0000]|[^A-Za-z\u0000][^\u0000]*[A-Za-z])[^\u0000]*$",
    message="A password needs at least one letter and one character that is not a letter.",
    code="password_too_simple",
)


class AnonymousApi(APIView):
    """An endpoint for callers without a token (sign-up, log-in, the public keys)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)


# Django's email check wants a top-level domain of two letters or more, which the OpenAPI
# `format: email` does not say: the pattern says it, so the document and the API agree.
EMAIL_TOP_LEVEL_DOMAIN = RegexValidator(
    r"^[^\u0000]*\.[A-Za-z]{2,63}$",
    message="Enter a valid email address.",
    code="invalid",
)


def email_field() -> serializers.EmailField:
    return serializers.EmailField(max_length=EMAIL_MAX_LENGTH, validators=[EMAIL_TOP_LEVEL_DOMAIN])


def password_field() -> serializers.CharField:
    # Taken exactly as typed: spaces are part of a passphrase.
    return serializers.CharField(max_length=128, trim_whitespace=False)


def new_password_field() -> serializers.CharField:
    """A password being chosen: the policy's stated part is checked (and documented) here."""
    return serializers.CharField(
        min_length=PASSWORD_MIN_LENGTH,
        max_length=128,
        trim_whitespace=False,
        validators=[PASSWORD_MIX],
    )


def caller_session_id(principal: Principal) -> UUID | None:
    """The session of the caller's access token (None for a token naming none)."""
    sid = session_id_of(principal.claims)
    try:
        return UUID(sid) if sid is not None else None
    except ValueError:
        return None
