"""Where a WebSocket handshake carries its access token (no Django: the gateway uses it too).

One rule for the gateway and the services, first match wins: the ``Authorization: Bearer
<token>`` header (clients that can set headers), then the subprotocol pair
``Sec-WebSocket-Protocol: bearer, <token>`` (the server then accepts with ``bearer``), then
the query parameter ``?access_token=<token>`` (RFC 6750 §2.3). Browsers cannot set headers
on a WebSocket, hence the other two.

A browser should rather send ``?ticket=<ticket>``: a single-use, short-lived ticket the
notifications service issued to a signed-in caller (``POST .../ws-ticket/``), so no access
token ever sits in a URL. A ticket decides alone: the gateway lets it through unverified and
the service redeems it. Both parameters are taken out of the query string handed on for logs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

BEARER_SUBPROTOCOL = "bearer"
QUERY_PARAM = "access_token"
TICKET_PARAM = "ticket"
BEARER_SCHEME = "bearer"


@dataclass(frozen=True)
class HandshakeToken:
    token: str | None
    # The subprotocol to accept the connection with (None: accept without one).
    subprotocol: str | None
    # The query string without the token and the ticket, for anything that logs the path.
    query_string: bytes
    # ``?ticket=``: when present, the handshake is authenticated by it alone.
    ticket: str | None = None


def handshake_token(
    *, query_string: bytes, subprotocols: Sequence[str], authorization: bytes | None = None
) -> HandshakeToken:
    """The token of a handshake (``authorization`` is the raw header value, if any).

    A present ``Authorization`` header decides alone: one of another scheme carries no token.
    The query token is always taken out of the returned query string.
    """
    query = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    query_token = next((value for name, value in query if name == QUERY_PARAM), None)
    ticket = next((value for name, value in query if name == TICKET_PARAM), None)
    if query_token is not None or ticket is not None:
        secret = (QUERY_PARAM, TICKET_PARAM)
        remaining = [(name, value) for name, value in query if name not in secret]
        query_string = urlencode(remaining).encode("latin-1")
    if ticket is not None:
        return HandshakeToken(None, None, query_string, ticket=ticket)
    if authorization is not None:
        scheme, _, token = authorization.decode("latin-1").partition(" ")
        bearer = scheme.lower() == BEARER_SCHEME and token.strip()
        return HandshakeToken(token.strip() if bearer else None, None, query_string)
    if len(subprotocols) >= 2 and subprotocols[0] == BEARER_SUBPROTOCOL:
        return HandshakeToken(subprotocols[1] or None, BEARER_SUBPROTOCOL, query_string)
    return HandshakeToken(query_token or None, None, query_string)
