"""Where a WebSocket handshake carries its access token (no Django: the gateway uses it too).

Browsers cannot set headers on a WebSocket, so the token comes either as the query
parameter ``?access_token=<token>`` (RFC 6750 §2.3) or as the subprotocol pair
``Sec-WebSocket-Protocol: bearer, <token>`` (the server then accepts with ``bearer``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

BEARER_SUBPROTOCOL = "bearer"
QUERY_PARAM = "access_token"


@dataclass(frozen=True)
class HandshakeToken:
    token: str | None
    # The subprotocol to accept the connection with (None: accept without one).
    subprotocol: str | None
    # The query string without the token, for anything that logs the path.
    query_string: bytes


def handshake_token(*, query_string: bytes, subprotocols: Sequence[str]) -> HandshakeToken:
    """The token of a handshake; the subprotocol form wins over the query parameter."""
    query = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    query_token = next((value for name, value in query if name == QUERY_PARAM), None)
    if query_token is not None:
        remaining = [(name, value) for name, value in query if name != QUERY_PARAM]
        query_string = urlencode(remaining).encode("latin-1")
    if len(subprotocols) >= 2 and subprotocols[0] == BEARER_SUBPROTOCOL:
        return HandshakeToken(subprotocols[1] or None, BEARER_SUBPROTOCOL, query_string)
    return HandshakeToken(query_token or None, None, query_string)
