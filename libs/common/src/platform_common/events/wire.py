"""An envelope as a Celery task message (protocol v2), so workers consume it natively."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from platform_common.events.envelope import Envelope

CONSUME_TASK = "platform_common.events.consume"
CONTENT_TYPE = "application/json"
CONTENT_ENCODING = "utf-8"
# Set on messages we dead-letter ourselves; RabbitMQ adds x-death to the ones it moves.
ERROR_HEADER = "x-error"
ERROR_TYPE_HEADER = "x-error-type"
EVENT_TYPE_HEADER = "x-event-type"


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
        "argsrepr": repr(args)[:200],
        "kwargsrepr": "{}",
        "origin": origin,
        "ignore_result": True,
        **extra_headers,
    }
    embed = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}
    body = json.dumps([args, {}, embed], separators=(",", ":")).encode()
    return TaskMessage(body=body, headers=headers, message_id=task_id)


def event_message(envelope: Envelope, *, origin: str) -> TaskMessage:
    """The message the relay publishes; the task id is the event id so logs line up."""
    return task_message(
        task_id=str(envelope.id),
        args=[envelope.to_dict()],
        origin=origin,
        extra_headers={EVENT_TYPE_HEADER: envelope.type, "traceparent": envelope.traceparent},
    )
