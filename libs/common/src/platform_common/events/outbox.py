"""publish(): write an event to the outbox inside the caller's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection, transaction

from platform_common.events import conf, contracts
from platform_common.events.envelope import Envelope
from platform_common.events.models import OutboxMessage
from platform_common.events.nudge import nudge_relay
from platform_common.observability.logging import request_id_var
from platform_common.observability.tracing import producer_span


class NotInTransaction(RuntimeError):
    """publish() outside transaction.atomic could emit an event for a change never committed."""


def publish(
    *,
    type: str,
    data: dict[str, Any],
    aggregate_id: str | uuid.UUID,
    aggregate_version: int,
    version: int = 1,
) -> Envelope:
    """Validate the event against its contract and add it to the outbox of this transaction."""
    if not connection.in_atomic_block:
        raise NotInTransaction("events.publish() must run inside transaction.atomic()")
    # The envelope carries this span: the relay's publish and the consumers continue it.
    with producer_span(f"{type} publish", event_type=type) as traceparent:
        envelope = Envelope(
            type=type,
            version=version,
            data=data,
            aggregate_id=str(aggregate_id),
            aggregate_version=aggregate_version,
            producer=conf.service_name(),
            traceparent=traceparent,
            request_id=request_id_var.get(),
        )
    contracts.validate(envelope)
    OutboxMessage.objects.create(
        event_id=envelope.id, event_type=envelope.type, envelope=envelope.to_dict()
    )
    transaction.on_commit(nudge_relay)
    return envelope
