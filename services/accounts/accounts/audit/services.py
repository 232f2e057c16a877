"""Writing the audit log: called by the services that make the changes, inside their
transactions (not from signals), so an entry commits or rolls back with its change."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from accounts.audit.alerts import SecurityAlertKind, security_alert_publish
from accounts.audit.models import AuditEntry, AuditEvent
from accounts.clients import ClientInfo


def audit_record(
    *,
    event: AuditEvent,
    user_id: UUID | None,
    client: ClientInfo | None,
    actor_id: UUID | None = None,
    details: dict[str, Any] | None = None,
    alert: SecurityAlertKind | None = None,
) -> AuditEntry:
    """Record ``event`` about ``user_id``'s account; ``client`` is None for changes nobody
    made over HTTP (a command), ``actor_id`` set when someone else did it. With ``alert``
    the owner is also told (``accounts.user.security_alert``, same transaction)."""
    entry = AuditEntry.objects.create(
        event=event,
        user_id=user_id,
        actor_id=actor_id,
        ip_address=client.ip_address if client else None,
        user_agent=client.user_agent if client else "",
        details=details or {},
    )
    if alert is not None:
        security_alert_publish(entry=entry, kind=alert)
    return entry
