"""Trusted-proxy handling: forwarded headers count only when the gateway sent them.

The gateway proves itself with ``X-Gateway-Proxy-Secret`` (setting ``GATEWAY_PROXY_SECRET``)
and sets ``X-Forwarded-For`` (one address), ``X-Forwarded-Host`` and ``X-Forwarded-Proto``.
``TrustedProxyMiddleware`` (first in ``MIDDLEWARE``) keeps those three only when the
secret matches and removes every forwarding header otherwise, so Django's
``USE_X_FORWARDED_HOST`` and ``SECURE_PROXY_SSL_HEADER`` act on gateway values only.
``client_ip(request)`` is the one way to read the caller's address.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

PROXY_SECRET_META = "HTTP_X_GATEWAY_PROXY_SECRET"  # noqa: S105 (a header name)
FORWARDED_FOR_META = "HTTP_X_FORWARDED_FOR"
# Honoured from the gateway only; every other forwarding header is always dropped.
TRUSTED_META = frozenset({FORWARDED_FOR_META, "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PROTO"})
UNTRUSTED_META = frozenset(
    {
        "HTTP_FORWARDED",
        "HTTP_X_FORWARDED_SSL",
        "HTTP_X_FORWARDED_PROTOCOL",
        "HTTP_X_FORWARDED_PORT",
        "HTTP_X_FORWARDED_PREFIX",
        "HTTP_X_FORWARDED_SERVER",
        "HTTP_X_REAL_IP",
        "HTTP_FRONT_END_HTTPS",
        "HTTP_X_URL_SCHEME",
    }
)
# Set by the middleware on requests whose forwarded headers the gateway vouched for.
VOUCHED_META = "platform.proxy.vouched"

GetResponse = Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]


def is_from_gateway(meta: MutableMapping[str, Any], *, secret: str) -> bool:
    """Whether the request carries the gateway's secret (constant-time compare)."""
    sent = meta.get(PROXY_SECRET_META)
    if not secret or not isinstance(sent, str):
        return False
    return hmac.compare_digest(sent.encode(), secret.encode())


def sanitize_forwarded_headers(meta: MutableMapping[str, Any], *, secret: str) -> None:
    """Drop the secret and every forwarding header the gateway did not vouch for."""
    vouched = is_from_gateway(meta, secret=secret)
    meta.pop(PROXY_SECRET_META, None)
    for name in UNTRUSTED_META if vouched else UNTRUSTED_META | TRUSTED_META:
        meta.pop(name, None)
    meta[VOUCHED_META] = vouched


class TrustedProxyMiddleware:
    """First in ``MIDDLEWARE``: what follows sees only forwarded headers the gateway vouched for."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        sanitize_forwarded_headers(request.META, secret=_configured_secret())
        # Under ASGI this is the next layer's coroutine, awaited by Django's handler.
        return self.get_response(request)


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address: the gateway's ``X-Forwarded-For`` when it vouched for the
    request, the peer address otherwise (a direct call inside the cluster, or a forger)."""
    if request.META.get(VOUCHED_META) is True:
        forwarded = _normalized(str(request.META.get(FORWARDED_FOR_META, "")).rsplit(",", 1)[-1])
        if forwarded is not None:
            return forwarded
    return _normalized(str(request.META.get("REMOTE_ADDR", "")))


def _configured_secret() -> str:
    # Read per request: cheap, and settings overridden in tests take effect at once.
    secret = getattr(settings, "GATEWAY_PROXY_SECRET", "")
    return secret if isinstance(secret, str) else ""


def _normalized(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None
