"""The Celery task of one webhook delivery: an attempt, then a retry later if needed."""

from typing import Any
from uuid import UUID

from celery import Task, shared_task

from notifications.webhooks.services import webhook_delivery_attempt
from platform_common.events.topology import EVENTS_EXCHANGE, direct_routing_key

TASK_NAME = "notifications.webhooks.deliver"
# The service's own queue, through its private routing key (as beat's purge).
ROUTE: dict[str, Any] = {
    "exchange": EVENTS_EXCHANGE.name,
    "routing_key": direct_routing_key("notifications"),
}


@shared_task(bind=True, name=TASK_NAME, max_retries=None)
def webhook_delivery_task(self: Task[Any, Any], delivery_id: str) -> None:
    # The attempt counts and logs its tries itself; Celery only waits between them.
    retry_in = webhook_delivery_attempt(delivery_id=UUID(delivery_id))
    if retry_in is not None:
        raise self.retry(countdown=retry_in, **ROUTE)


def webhook_delivery_enqueue(*, delivery_id: UUID) -> None:
    webhook_delivery_task.apply_async(args=(str(delivery_id),), **ROUTE)
