"""RabbitMQ names and arguments of the event transport (the Helm chart declares the same).

platform.events (topic, routing key = event type)
  -> <svc>.events (quorum; bound to the types its handlers subscribe to and to
     _direct.<svc>, the service-private key used for retries and replays)
     dead-letters to platform.dlx (direct) -> <svc>.events.dlq (quorum)
     -> parked in the service's database by the ``events dlq`` commands (see ``dlq``)
"""

from __future__ import annotations

from kombu import Connection, Exchange, Queue, binding

from platform_common.events.registry import subscribed_types

EVENTS_EXCHANGE = Exchange("platform.events", type="topic", durable=True)
DEAD_LETTER_EXCHANGE = Exchange("platform.dlx", type="direct", durable=True)
# Deliveries before RabbitMQ dead-letters a message that keeps killing its consumer.
DELIVERY_LIMIT = 20


def queue_name(service: str) -> str:
    return f"{service}.events"


def dead_letter_queue_name(service: str) -> str:
    return f"{service}.events.dlq"


def direct_routing_key(service: str) -> str:
    """Reaches only this service's queue (event types always have three words)."""
    return f"_direct.{service}"


def events_queue(service: str, event_types: list[str]) -> Queue:
    routing_keys = [direct_routing_key(service), *event_types]
    return Queue(
        queue_name(service),
        # Celery's native delayed delivery mirrors every binding with a "#." prefix;
        # retries use the private key, so a delayed retry comes back to this queue alone.
        bindings=[binding(EVENTS_EXCHANGE, routing_key=key) for key in routing_keys],
        durable=True,
        queue_arguments={
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE.name,
            "x-dead-letter-routing-key": dead_letter_queue_name(service),
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
            "x-delivery-limit": DELIVERY_LIMIT,
        },
    )


def dead_letter_queue(service: str) -> Queue:
    """A transit queue: its messages are only ever taken with an ack (``dlq.park``), never
    returned, so RabbitMQ 4's default quorum delivery-limit (20) never counts against them."""
    return Queue(
        dead_letter_queue_name(service),
        exchange=DEAD_LETTER_EXCHANGE,
        routing_key=dead_letter_queue_name(service),
        durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )


def declare_topology(connection: Connection, *, service: str, event_types: list[str]) -> None:
    """Idempotently declare the exchanges, the service's queue, its bindings and its DLQ."""
    with connection.channel() as channel:
        for queue in (events_queue(service, event_types), dead_letter_queue(service)):
            queue.bind(channel).declare()


def declare_service_topology(broker_url: str, *, service: str) -> None:
    """Declare the topology of ``service`` for the handlers registered in this process."""
    with Connection(broker_url, connect_timeout=5) as connection:
        declare_topology(connection, service=service, event_types=subscribed_types())
