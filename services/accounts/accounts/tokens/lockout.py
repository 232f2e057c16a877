"""How django-axes identifies a login client: the email it tries (here) and the address it
comes from (``platform_common.proxy.client_ip``: the gateway's forwarded address, or the peer).

Failed logins are counted per (email, client IP) pair: one client guessing passwords is
stopped after ``AXES_FAILURE_LIMIT`` tries, while nobody elsewhere can lock the real owner
out of their account by failing on purpose.
"""

from __future__ import annotations

from typing import Any

from axes.conf import settings
from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the email as the lookup sees it (case-insensitive).

    Otherwise every case variant of an email would get its own allowance of failures.
    Failures come with the login's own ``email``; axes' reset after a success names the
    user under ``AXES_USERNAME_FORM_FIELD``: both must find the same counter."""
    credentials = credentials or {}
    email = credentials.get("email", credentials.get(settings.AXES_USERNAME_FORM_FIELD))
    return email.strip().lower() if isinstance(email, str) else None
