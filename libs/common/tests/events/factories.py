import uuid
from typing import Any

from django.db import transaction
from evtest_app.events import fail_times

from platform_common.events import publish
from platform_common.events.envelope import Envelope


def user_data(**overrides: Any) -> dict[str, Any]:
    """Valid accounts.user.registered v1 data."""
    return {
        "user_id": str(uuid.uuid4()),
        "email": "ada@example.com",
        "display_name": "Ada",
        **overrides,
    }


def publish_registered(**data_overrides: Any) -> Envelope:
    """Publish one accounts.user.registered event in a transaction of its own."""
    data = user_data(**data_overrides)
    with transaction.atomic():
        return publish(
            type="accounts.user.registered",
            data=data,
            aggregate_id=data["user_id"],
            aggregate_version=1,
        )


def publish_event(*, failing_attempts: int = 0) -> Envelope:
    """Publish one event; its first ``failing_attempts`` deliveries to record_effect fail.

    The failures are set up before the commit, so no delivery can come before them.
    """
    with transaction.atomic():
        envelope = publish_registered()
        if failing_attempts:
            fail_times(str(envelope.id), failing_attempts)
    return envelope
