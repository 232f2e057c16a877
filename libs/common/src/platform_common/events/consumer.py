"""The consumer path every delivered event takes: parse, validate, dispatch, inbox.

Each handler runs in its own transaction together with the insert of its inbox row, so
a handler's effects and the proof that it ran commit or roll back together; a redelivered
or replayed event finds the row and changes nothing.
"""

from __future__ import annotations

import logging
import time

from django.db import connection, transaction

from platform_common.events import conf, contracts
from platform_common.events.envelope import Envelope, InvalidEnvelope
from platform_common.events.models import InboxEntry
from platform_common.events.registry import Handler, handlers_for
from platform_common.observability import event_metrics
from platform_common.observability.logging import request_id_var
from platform_common.observability.tracing import handler_span

logger = logging.getLogger(__name__)


class PoisonMessage(ValueError):
    """The message can never be processed: retrying is pointless, it goes to the DLQ."""


def parse(payload: object) -> Envelope:
    """Decode and validate an envelope (JSON text or decoded); every defect is a PoisonMessage."""
    try:
        if isinstance(payload, str | bytes):
            envelope = Envelope.from_json(payload)
        elif isinstance(payload, dict):
            envelope = Envelope.from_dict(payload)
        else:
            raise InvalidEnvelope(f"envelope must be an object, got {type(payload).__name__}")
    except InvalidEnvelope as error:
        raise PoisonMessage(str(error)) from error
    if not handlers_for(envelope.type, envelope.version):
        raise PoisonMessage(f"no handler for {envelope.type} v{envelope.version}")
    try:
        contracts.validate(envelope)
    except contracts.ContractError as error:
        raise PoisonMessage(str(error)) from error
    return envelope


def process(payload: object) -> Envelope:
    """Run every handler of the event once; exceptions from handlers propagate (retry)."""
    envelope = parse(payload)
    apply(envelope)
    return envelope


def apply(envelope: Envelope) -> None:
    """Run every handler of a parsed event once, each in its own atomic block with its inbox
    row (a savepoint when the caller holds a transaction); handler exceptions propagate."""
    request_token = request_id_var.set(envelope.request_id)
    try:
        for handler in handlers_for(envelope.type, envelope.version):
            with handler_span(
                event_type=envelope.type, handler=handler.name, traceparent=envelope.traceparent
            ):
                _apply_once(handler, envelope)
    finally:
        request_id_var.reset(request_token)


def _apply_once(handler: Handler, envelope: Envelope) -> None:
    with transaction.atomic():
        if not _claim(handler, envelope):
            logger.info("event %s already applied by %s", envelope.id, handler.name)
            event_metrics.consumed(
                service=conf.service_name(), event_type=envelope.type, duplicate=True
            )
            return
        started = time.monotonic()
        handler.func(envelope)
    seconds = time.monotonic() - started
    event_metrics.consumed(
        service=conf.service_name(), event_type=envelope.type, duplicate=False, seconds=seconds
    )


def _claim(handler: Handler, envelope: Envelope) -> bool:
    """Insert the inbox row; False if it exists (a concurrent claim waits for the first one).

    One statement instead of a savepoint around an insert: fewer round trips per event.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {InboxEntry._meta.db_table} "  # noqa: S608 - table name from the model
            "(event_id, handler, event_type, processed_at) VALUES (%s, %s, %s, now()) "
            "ON CONFLICT (event_id, handler) DO NOTHING RETURNING id",
            [envelope.id, handler.name, envelope.type],
        )
        return cursor.fetchone() is not None
