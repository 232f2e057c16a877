"""What every accounts API shares."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

EMAIL_MAX_LENGTH = 254


class AnonymousApi(APIView):
    """An endpoint for callers without a token (sign-up, log-in, the public keys)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)


def password_field() -> serializers.CharField:
    # Taken exactly as typed: spaces are part of a passphrase.
    return serializers.CharField(max_length=128, trim_whitespace=False)
