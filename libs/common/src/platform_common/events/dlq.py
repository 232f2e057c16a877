"""Inspect, replay and purge a service's dead-letter queue.

Listing reads messages without acking them and returns them to the queue when done;
replay republishes a message to the service's own queue only (private routing key),
with a confirm, before removing it from the DLQ. A replayed event that was in fact
already applied is absorbed by the inbox.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kombu import Connection, Message

from platform_common.events.topology import (
    EVENTS_EXCHANGE,
    dead_letter_queue,
    direct_routing_key,
)
from platform_common.events.wire import (
    CONTENT_ENCODING,
    CONTENT_TYPE,
    ERROR_HEADER,
    ERROR_TYPE_HEADER,
    EVENT_TYPE_HEADER,
    Unroutable,
)

__all__ = ["Unroutable"]

# Upper bound of messages examined in one command, so a huge DLQ cannot exhaust memory.
SCAN_LIMIT = 10_000
# Headers describing a past failure; a replayed message starts clean.
_FAILURE_HEADERS = (
    "x-death",
    "x-first-death-exchange",
    "x-first-death-queue",
    "x-first-death-reason",
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
    error: str
    headers: dict[str, Any]
    body: bytes

    @property
    def reason(self) -> str:
        """Our recorded error, or RabbitMQ's reason (e.g. delivery_limit, rejected)."""
        if self.error:
            return self.error
        deaths = self.headers.get("x-death") or [{}]
        return str(deaths[0].get("reason", "unknown"))


def _dead_letter(message: Message) -> DeadLetter:
    headers = dict(message.headers or {})
    return DeadLetter(
        event_id=str(headers.get("id") or message.properties.get("message_id") or "?"),
        event_type=str(headers.get(EVENT_TYPE_HEADER, "unknown")),
        error=str(headers.get(ERROR_HEADER, "")),
        headers=headers,
        body=_raw_body(message),
    )


def _raw_body(message: Message) -> bytes:
    body = message.body
    return body if isinstance(body, bytes) else (body or "").encode()


def _scan(broker_url: str, service: str, act: Callable[[Connection, DeadLetter], bool]) -> None:
    """Visit every dead letter once; those for which ``act`` returns True are removed."""
    # confirm_publish: a replayed copy is on the broker before its dead letter is acked.
    with (
        Connection(broker_url, transport_options={"confirm_publish": True}) as connection,
        connection.channel() as channel,
    ):
        queue = dead_letter_queue(service).bind(channel)
        for _ in range(SCAN_LIMIT):
            message = queue.get(no_ack=False, accept=["json"])
            if message is None:
                break
            if act(connection, _dead_letter(message)):
                message.ack()
        # Closing the channel returns every message that was not acked to the queue.


def list_dead_letters(*, broker_url: str, service: str) -> list[DeadLetter]:
    seen: list[DeadLetter] = []

    def keep(_connection: Connection, letter: DeadLetter) -> bool:
        seen.append(letter)
        return False

    _scan(broker_url, service, keep)
    return seen


def replay(
    *, broker_url: str, service: str, match: Callable[[DeadLetter], bool]
) -> list[DeadLetter]:
    """Send matching dead letters back to the service's queue; returns the replayed ones."""
    replayed: list[DeadLetter] = []

    def republish(connection: Connection, letter: DeadLetter) -> bool:
        if not match(letter):
            return False
        headers = {k: v for k, v in letter.headers.items() if k not in _FAILURE_HEADERS}
        connection.Producer().publish(
            letter.body,
            exchange=EVENTS_EXCHANGE,
            routing_key=direct_routing_key(service),
            headers={**headers, "retries": 0},
            message_id=letter.event_id,
            content_type=CONTENT_TYPE,
            content_encoding=CONTENT_ENCODING,
            delivery_mode=2,
        )
        replayed.append(letter)
        return True

    _scan(broker_url, service, republish)
    return replayed


def purge(*, broker_url: str, service: str, match: Callable[[DeadLetter], bool]) -> int:
    """Drop matching dead letters for good; returns how many."""
    purged: list[DeadLetter] = []

    def drop(_connection: Connection, letter: DeadLetter) -> bool:
        if match(letter):
            purged.append(letter)
            return True
        return False

    _scan(broker_url, service, drop)
    return len(purged)


def envelope_json(letter: DeadLetter) -> str:
    """The event inside a dead letter, pretty-printed (or the raw body if it is not one)."""
    try:
        args = json.loads(letter.body)[0]
        return json.dumps(args[0], indent=2, sort_keys=True)
    except (ValueError, IndexError, KeyError, TypeError):
        return letter.body.decode(errors="replace")
