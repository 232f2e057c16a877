"""An envelope as a Celery task message (protocol v2), so workers consume it natively."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from kombu import Exchange, Producer

from platform_common.events.envelope import Envelope
from platform_common.observability.tracing import TRACEPARENT

logger = logging.getLogger(__name__)

CONSUME_TASK = "platform_common.events.consume"
CONTENT_TYPE = "application/json"
CONTENT_ENCODING = "utf-8"
# Set on messages we dead-letter ourselves; RabbitMQ adds x-death to the ones it moves.
ERROR_HEADER = "x-error"
ERROR_TYPE_HEADER = "x-error-type"
EVENT_TYPE_HEADER = "x-event-type"


class Unroutable(RuntimeError):
    """The broker confirmed a mandatory publish by returning it: no queue took the message."""


@dataclass(frozen=True)
class TaskMessage:
    body: bytes
    headers: dict[str, Any]
    message_id: str


def task_message(
    *, task_id: str, args: list[Any], origin: str, extra_headers: dict[str, Any]
) -> TaskMessage:
    headers: dict[str, Any] = {
        "lang": "py",
        "task": CONSUME_TASK,
        "id": task_id,
        "root_id": task_id,
        "parent_id": None,
        "group": None,
        "retries": 0,
        "eta": None,
        "expires": None,
        "timelimit": [None, None],
        # What Celery logs for the task ("received", "succeeded"): the event, never its data
        # (which carries emails and, for some events, one-time tokens).
        "argsrepr": f"(<event {extra_headers.get(EVENT_TYPE_HEADER, '?')} {task_id}>,)",
        "kwargsrepr": "{}",
        "origin": origin,
        "ignore_result": True,
        **extra_headers,
    }
    embed = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}
    body = json.dumps([args, {}, embed], separators=(",", ":")).encode()
    return TaskMessage(body=body, headers=headers, message_id=task_id)


def event_message(envelope: Envelope, *, origin: str, traceparent: str) -> TaskMessage:
    """The message the relay publishes; the task id is the event id so logs line up.

    ``traceparent`` (the relay's span) becomes the parent of the worker's task span."""
    return task_message(
        task_id=str(envelope.id),
        args=[envelope.to_dict()],
        origin=origin,
        extra_headers={EVENT_TYPE_HEADER: envelope.type, TRACEPARENT: traceparent},
    )


def publish_task_message(
    producer: Producer, message: TaskMessage, *, exchange: Exchange, routing_key: str
) -> None:
    """Publish persistent and mandatory on a confirming channel (``confirm_publish``).

    RabbitMQ confirms an unroutable message too, after returning it: the return is caught
    here and raised as ``Unroutable``, so the caller keeps its copy instead of losing it.
    """
    returned: list[str] = []

    def on_return(_error: Exception, _exchange: str, _routing_key: str, _message: object) -> None:
        returned.append(message.message_id)

    # Without a handler, py-amqp raises from the middle of the confirm wait, which would
    # leave that confirm unread and pair the next publish with it.
    channel: Any = producer.channel
    handlers = channel.events["basic_return"]
    handlers.add(on_return)
    try:
        producer.publish(
            message.body,
            exchange=exchange,
            routing_key=routing_key,
            headers=message.headers,
            message_id=message.message_id,
            content_type=CONTENT_TYPE,
            content_encoding=CONTENT_ENCODING,
            delivery_mode=2,
            mandatory=True,
        )
    finally:
        handlers.discard(on_return)
    if returned:
        logger.error(
            "unroutable: no queue took event %s (%s) at exchange %s, routing key %s",
            message.message_id,
            message.headers.get(EVENT_TYPE_HEADER, "unknown"),
            exchange.name,
            routing_key,
        )
        raise Unroutable(
            f"unroutable: no queue took {message.message_id} at {exchange.name} {routing_key}"
        )
