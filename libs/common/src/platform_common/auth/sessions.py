"""Session revocation shared by accounts (writes) and the gateway (reads); no Django.

An access token names its login session in the ``sid`` claim. Revoking a session writes
``revoked_session_key(...)`` to the Redis Cluster with a lifetime of one access token: by
then every token of the session has expired, so the list stays as short as the revocations
of the last quarter hour. The ``{user:<id>}`` hash tag is the gateway's per-user rate-limit
identity, so the check rides in the same script call (same slot) as the user's counter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

SESSION_CLAIM = "sid"
REVOKED_SESSION_PREFIX = "revoked-session"


def revoked_session_key(*, user_id: UUID | str, session_id: UUID | str) -> str:
    return f"{REVOKED_SESSION_PREFIX}:{{user:{user_id}}}:{session_id}"


def session_id_of(claims: Mapping[str, Any]) -> str | None:
    """The token's session id; None for a token without one (issued before sessions)."""
    sid = claims.get(SESSION_CLAIM)
    return sid if isinstance(sid, str) and sid else None
