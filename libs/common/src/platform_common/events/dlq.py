"""Inspect, replay and purge a service's dead letters without ever spending a delivery.

Why the dead letters are moved to Postgres before anyone looks at them: a quorum queue
counts every return of a message (a requeue, or the close of a channel holding it
unacked) in ``x-delivery-count``, and since RabbitMQ 4.0 every quorum queue has a
default ``delivery-limit`` of 20, after which the message is dropped (or dead-lettered,
and a DLQ has nowhere further to send it). Browsing the DLQ by getting messages and
letting them return would wear each one down and, on 4.x, lose it after about twenty
looks. Setting ``x-delivery-limit`` to -1 (unlimited, 4.x only) would need the queue
re-declared with new arguments, which RabbitMQ refuses for an existing queue; a stream
reads by offset without consuming, but cannot remove one message after its replay.

So every command first *moves* the DLQ's messages into ``ParkedDeadLetter`` rows: get,
insert and commit, then ack. An acked delivery is never counted as a failed one, on 3.x
as on 4.x, and never comes back; a crash between commit and ack returns the message once
and its digest finds the row already there. Listing, showing, replaying and purging then
read and delete rows: looking costs nothing, however often.

Replay re-publishes one row at a time to the service's own queue (private routing key,
mandatory, confirmed) and deletes the row in the same transaction, so each dead letter
is sent once per replay; rows parked after the replay began (a replayed event that died
again) wait for the next one. An event that was in fact already applied is absorbed by
the inbox.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from kombu import Connection, Message, Producer

from platform_common.events.models import ParkedDeadLetter
from platform_common.events.topology import (
    EVENTS_EXCHANGE,
    dead_letter_queue,
    direct_routing_key,
)
from platform_common.events.wire import (
    ERROR_HEADER,
    ERROR_TYPE_HEADER,
    EVENT_TYPE_HEADER,
    TaskMessage,
    Unroutable,
    publish_task_message,
)

__all__ = ["DeadLetter", "ReplayResult", "Unroutable"]

# Rows read per query during a replay.
REPLAY_BATCH_SIZE = 500
# Headers describing a past failure; a replayed message starts clean.
_FAILURE_HEADERS = (
    "x-death",
    "x-first-death-exchange",
    "x-first-death-queue",
    "x-first-death-reason",
    "x-last-death-exchange",
    "x-last-death-queue",
    "x-last-death-reason",
    "x-delivery-count",
    ERROR_HEADER,
    ERROR_TYPE_HEADER,
    "x-attempts",
    "x-failed-at",
)


@dataclass(frozen=True)
class DeadLetter:
    event_id: str
    event_type: str
    reason: str
    headers: dict[str, Any]
    body: bytes


@dataclass(frozen=True)
class ReplayResult:
    replayed: list[DeadLetter]
    # Matching dead letters left in place because ``limit`` was reached.
    remaining: int


def park(*, broker_url: str, service: str) -> int:
    """Move every message of ``<service>.events.dlq`` into parked rows; returns how many."""
    moved = 0
    with Connection(broker_url) as connection, connection.channel() as channel:
        queue = dead_letter_queue(service).bind(channel)
        queue.declare()
        while (message := queue.get(no_ack=False)) is not None:
            _park(message)
            message.ack()
            moved += 1
    return moved


def list_dead_letters(*, broker_url: str, service: str) -> list[DeadLetter]:
    park(broker_url=broker_url, service=service)
    return [_letter(row) for row in ParkedDeadLetter.objects.order_by("id")]


def replay(
    *,
    broker_url: str,
    service: str,
    match: Callable[[DeadLetter], bool],
    limit: int | None = None,
    batch_size: int = REPLAY_BATCH_SIZE,
) -> ReplayResult:
    """Send matching dead letters back to the service's queue, each once, at most ``limit``.

    Raises ``Unroutable`` (keeping that dead letter and the ones after it) when the
    service's queue is not bound to take them.
    """
    park(broker_url=broker_url, service=service)
    last_id = ParkedDeadLetter.objects.aggregate(last=Max("id"))["last"] or 0
    replayed: list[DeadLetter] = []
    remaining = 0
    after = 0
    with Connection(broker_url, transport_options={"confirm_publish": True}) as connection:
        producer = connection.Producer()
        while ids := list(
            ParkedDeadLetter.objects.filter(id__gt=after, id__lte=last_id)
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        ):
            after = ids[-1]
            for row_id in ids:
                with transaction.atomic():
                    row = (
                        ParkedDeadLetter.objects.select_for_update(skip_locked=True)
                        .filter(id=row_id)
                        .first()
                    )
                    if row is None or not match(letter := _letter(row)):
                        continue  # gone (another replay took it) or not selected
                    if limit is not None and len(replayed) >= limit:
                        remaining += 1
                        continue
                    _republish(producer, letter, service=service)
                    row.delete()
                replayed.append(letter)
    return ReplayResult(replayed=replayed, remaining=remaining)


def purge(*, broker_url: str, service: str, match: Callable[[DeadLetter], bool]) -> int:
    """Drop matching dead letters for good; returns how many."""
    park(broker_url=broker_url, service=service)
    doomed = [row.id for row in ParkedDeadLetter.objects.order_by("id") if match(_letter(row))]
    deleted, _ = ParkedDeadLetter.objects.filter(id__in=doomed).delete()
    return deleted


def envelope_json(letter: DeadLetter) -> str:
    """The event inside a dead letter, pretty-printed (or the raw body if it is not one)."""
    try:
        args = json.loads(letter.body)[0]
        return json.dumps(args[0], indent=2, sort_keys=True)
    except (ValueError, IndexError, KeyError, TypeError):
        return letter.body.decode(errors="replace")


def _park(message: Message) -> None:
    body = message.body if isinstance(message.body, bytes) else (message.body or "").encode()
    # AMQP tables carry timestamps and bytes; stored as JSON text they read back as strings.
    headers: dict[str, Any] = json.loads(json.dumps(dict(message.headers or {}), default=str))
    headers.pop("x-delivery-count", None)
    digest = hashlib.sha256(body + json.dumps(headers, sort_keys=True).encode()).hexdigest()
    ParkedDeadLetter.objects.get_or_create(
        digest=digest,
        defaults={
            "event_id": str(headers.get("id") or message.properties.get("message_id") or "?"),
            "event_type": str(headers.get(EVENT_TYPE_HEADER, "unknown")),
            "reason": _reason(headers),
            "headers": headers,
            "body": body,
        },
    )


def _reason(headers: dict[str, Any]) -> str:
    """Our recorded error, or RabbitMQ's reason (e.g. delivery_limit, rejected)."""
    if headers.get(ERROR_HEADER):
        return str(headers[ERROR_HEADER])
    deaths = headers.get("x-death") or [{}]
    return str(deaths[0].get("reason", "unknown"))


def _letter(row: ParkedDeadLetter) -> DeadLetter:
    return DeadLetter(
        event_id=row.event_id,
        event_type=row.event_type,
        reason=row.reason,
        headers=row.headers,
        body=bytes(row.body),
    )


def _republish(producer: Producer, letter: DeadLetter, *, service: str) -> None:
    headers = {k: v for k, v in letter.headers.items() if k not in _FAILURE_HEADERS}
    publish_task_message(
        producer,
        TaskMessage(
            body=letter.body, headers={**headers, "retries": 0}, message_id=letter.event_id
        ),
        exchange=EVENTS_EXCHANGE,
        routing_key=direct_routing_key(service),
    )
