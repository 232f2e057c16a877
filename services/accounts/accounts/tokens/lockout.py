"""How django-axes identifies a login client: the email it tries and the address it comes from.

Failed logins are counted per (email, client IP) pair: one client guessing passwords is
stopped after ``AXES_FAILURE_LIMIT`` tries, while nobody elsewhere can lock the real owner
out of their account by failing on purpose.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the email as the lookup sees it (case-insensitive).

    Otherwise every case variant of an email would get its own allowance of failures."""
    email = (credentials or {}).get("email")
    return email.strip().lower() if isinstance(email, str) else None


def client_ip(request: HttpRequest) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the client address, trusting exactly one proxy hop.

    The gateway drops any X-Forwarded-For the client sent and sets it to the peer address it
    saw, so the right-most entry is the client. Without the header (a direct call inside the
    cluster) the peer address is the client."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        address = _normalized(forwarded.rsplit(",", 1)[-1])
        if address is not None:
            return address
    return _normalized(request.META.get("REMOTE_ADDR", ""))


def _normalized(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None
