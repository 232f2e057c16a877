"""Single-use, short-lived WebSocket tickets: a browser never puts an access token in a URL.

A signed-in caller asks for a ticket over the REST API (its token in a header) and opens
the socket with ``?ticket=<ticket>``. The ticket is kept in the Redis Cluster under its
SHA-256 only (a key listing reveals nothing usable) and redeemed with GETDEL, so two
handshakes racing with one ticket cannot both win; Redis expires the ones never used.
The socket then lives as long as the access token that asked for the ticket.
"""

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from platform_common.auth.jwt import Principal

TICKET_BYTES = 32
KEY_PREFIX = "notifications:ws-ticket:"


@dataclass(frozen=True)
class IssuedTicket:
    ticket: str
    expires_in: int


def _key(ticket: str) -> str:
    return KEY_PREFIX + hashlib.sha256(ticket.encode()).hexdigest()


def ws_ticket_issue(*, principal: Principal) -> IssuedTicket:
    """A new ticket standing for ``principal`` for ``WS_TICKET_TTL_SECONDS``."""
    ticket = secrets.token_urlsafe(TICKET_BYTES)
    lifetime: int = settings.WS_TICKET_TTL_SECONDS
    claims = {key: principal.claims[key] for key in ("exp", "sid") if key in principal.claims}
    value = json.dumps({"sub": str(principal.id), "roles": sorted(principal.roles), **claims})
    cache.cluster.set(_key(ticket), value, ex=lifetime)  # type: ignore[attr-defined]
    return IssuedTicket(ticket=ticket, expires_in=lifetime)


def ws_ticket_redeem(*, ticket: str) -> Principal | None:
    """The principal ``ticket`` stands for, once: None when unknown, used or expired."""
    if not ticket:
        return None
    value = cache.cluster.getdel(_key(ticket))  # type: ignore[attr-defined]
    if value is None:
        return None
    stored = json.loads(value)
    claims = {key: stored[key] for key in ("exp", "sid") if key in stored}
    return Principal(id=uuid.UUID(stored["sub"]), roles=frozenset(stored["roles"]), claims=claims)
