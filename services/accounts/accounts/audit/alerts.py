"""Security alerts: the changes to an account its owner is told of by mail (and in the
inbox), published as ``accounts.user.security_alert`` with the audit entry recording them,
in the change's transaction. The owner hears of it whatever their notification preferences:
a change they did not make is how they learn their account was taken."""

from __future__ import annotations

from enum import StrEnum

from accounts.audit.models import AuditEntry
from accounts.users.models import User
from platform_common.events import publish

SECURITY_ALERT = "accounts.user.security_alert"
# The client is named by its User-Agent cut to this length: enough to recognise a browser
# and system, short enough for a mail line.
DEVICE_MAX_LENGTH = 160


class SecurityAlertKind(StrEnum):
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (a kind, not a password)
    PASSWORD_RESET = "password_reset"  # noqa: S105
    MFA_ENABLED = "mfa_enabled"
    MFA_DISABLED = "mfa_disabled"
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated"
    SESSIONS_REVOKED = "sessions_revoked"
    NEW_DEVICE_SIGN_IN = "new_device_sign_in"


def security_alert_publish(*, entry: AuditEntry, kind: SecurityAlertKind) -> None:
    """Publish the alert of ``entry`` (its time, address and device); call inside the
    transaction that wrote the entry. Nothing is published for an entry about no user."""
    if entry.user_id is None:
        return
    user = User.objects.only("email", "display_name", "version").get(pk=entry.user_id)
    publish(
        type=SECURITY_ALERT,
        data={
            "user_id": str(user.id),
            "email": user.email,
            "display_name": user.display_name,
            "kind": str(kind),
            "occurred_at": entry.occurred_at.isoformat(),
            "ip": entry.ip_address,
            "device": " ".join(entry.user_agent.split())[:DEVICE_MAX_LENGTH],
        },
        aggregate_id=user.id,
        aggregate_version=user.version,
    )
