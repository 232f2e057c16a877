"""The consumer path every delivered event takes: parse, validate, dispatch, inbox.

Each handler runs in its own transaction together with the insert of its inbox row, so
a handler's effects and the proof that it ran commit or roll back together; a redelivered
or replayed event finds the row and changes nothing. A batch of events can instead claim
every inbox row in one statement (``claim_all``) and run its handlers in the caller's one
transaction: then any failure is the whole transaction's.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence

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


# (event id, handler name): one inbox row.
Claim = tuple[uuid.UUID, str]


def apply(envelope: Envelope, *, claimed: set[Claim] | None = None) -> None:
    """Run every handler of a parsed event once; handler exceptions propagate.

    Without ``claimed``, each handler runs in its own atomic block with the insert of its
    inbox row (a savepoint when the caller holds a transaction). With ``claimed`` (from
    ``claim_all`` in the caller's transaction), a handler runs only if its claim is there,
    and takes it, so an event delivered twice in one batch is applied once.
    """
    request_token = request_id_var.set(envelope.request_id)
    try:
        for handler in handlers_for(envelope.type, envelope.version):
            with handler_span(
                event_type=envelope.type, handler=handler.name, traceparent=envelope.traceparent
            ):
                if claimed is None:
                    with transaction.atomic():
                        _apply_once(handler, envelope, first=_claim(handler, envelope))
                else:
                    key = (envelope.id, handler.name)
                    first = key in claimed
                    claimed.discard(key)
                    _apply_once(handler, envelope, first=first)
    finally:
        request_id_var.reset(request_token)


def _apply_once(handler: Handler, envelope: Envelope, *, first: bool) -> None:
    """Run the handler if this is the event's first claim; the figures count once the
    transaction commits, so an attempt rolled back and run again is counted once."""
    if not first:
        logger.info("event %s already applied by %s", envelope.id, handler.name)
        transaction.on_commit(
            lambda: event_metrics.consumed(
                service=conf.service_name(), event_type=envelope.type, duplicate=True
            )
        )
        return
    started = time.monotonic()
    handler.func(envelope)
    seconds = time.monotonic() - started
    transaction.on_commit(
        lambda: event_metrics.consumed(
            service=conf.service_name(), event_type=envelope.type, duplicate=False, seconds=seconds
        )
    )


def _claim(handler: Handler, envelope: Envelope) -> bool:
    """Insert the inbox row; False if it exists (a concurrent claim waits for the first one).

    One statement instead of a savepoint around an insert: fewer round trips per event.
    """
    return bool(_insert_claims([(envelope.id, handler.name, envelope.type)]))


def claim_all(envelopes: Sequence[Envelope]) -> set[Claim]:
    """Insert the inbox rows of every handler of these events in one statement; returns
    the claims inserted: the others were applied before."""
    return _insert_claims(
        [
            (envelope.id, handler.name, envelope.type)
            for envelope in envelopes
            for handler in handlers_for(envelope.type, envelope.version)
        ]
    )


def _insert_claims(rows: list[tuple[uuid.UUID, str, str]]) -> set[Claim]:
    """Insert (event id, handler, event type) inbox rows, in key order (two transactions
    claiming overlapping rows wait for each other, never deadlock); returns those inserted."""
    if not rows:
        return set()
    event_ids, handlers, event_types = (list(column) for column in zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {InboxEntry._meta.db_table} "  # noqa: S608 - table name from the model
            "(event_id, handler, event_type, processed_at) "
            "SELECT claim.event_id, claim.handler, claim.event_type, now() "
            "FROM unnest(%s::uuid[], %s::text[], %s::text[]) "
            "AS claim(event_id, handler, event_type) ORDER BY 1, 2 "
            "ON CONFLICT (event_id, handler) DO NOTHING RETURNING event_id, handler",
            [event_ids, handlers, event_types],
        )
        return {(event_id, handler) for event_id, handler in cursor.fetchall()}
