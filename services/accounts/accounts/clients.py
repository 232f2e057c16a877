"""Who is calling, as far as the request tells: recorded with sessions and audit entries."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from platform_common.proxy import client_ip

USER_AGENT_MAX_LENGTH = 512


@dataclass(frozen=True)
class ClientInfo:
    ip_address: str | None
    user_agent: str


def client_info(request: HttpRequest) -> ClientInfo:
    """The caller's address (the gateway's forwarded one when its secret came along) and
    user agent (truncated to what is stored)."""
    return ClientInfo(
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", "")[:USER_AGENT_MAX_LENGTH],
    )
