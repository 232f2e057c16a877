import os

from platform_common.events.topology import EVENTS_EXCHANGE, direct_routing_key
from platform_common.events.worker import create_celery_app

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notifications.config.settings")
app = create_celery_app("notifications")

# Imported once the app exists (create_celery_app sets Django up).
from notifications.delivery import tasks as delivery_tasks  # noqa: E402

# Our own tasks go to our queue only, through the private key; a topic exchange, so
# countdowns and ETAs (retries, quiet hours) use RabbitMQ's native delayed delivery.
_OWN_ROUTE = {
    "exchange": EVENTS_EXCHANGE.name,
    "exchange_type": EVENTS_EXCHANGE.type,
    "routing_key": direct_routing_key("notifications"),
}
app.conf.task_routes = {
    **app.conf.task_routes,
    delivery_tasks.DELIVER_TASK: _OWN_ROUTE,
    delivery_tasks.FAN_OUT_TASK: _OWN_ROUTE,
    delivery_tasks.DIGESTS_TASK: _OWN_ROUTE,
    delivery_tasks.REQUEUE_TASK: _OWN_ROUTE,
}
app.conf.beat_schedule = {
    **app.conf.beat_schedule,
    "notifications-send-digests": {
        "task": delivery_tasks.DIGESTS_TASK,
        "schedule": delivery_tasks.DIGESTS_EVERY_SECONDS,
    },
    "notifications-requeue-stale-deliveries": {
        "task": delivery_tasks.REQUEUE_TASK,
        "schedule": delivery_tasks.REQUEUE_EVERY_SECONDS,
    },
}
app.task(bind=True, name=delivery_tasks.DELIVER_TASK, max_retries=delivery_tasks.MAX_RETRIES)(
    delivery_tasks.deliver
)
app.task(name=delivery_tasks.FAN_OUT_TASK)(delivery_tasks.fan_out)
app.task(name=delivery_tasks.DIGESTS_TASK)(delivery_tasks.send_digests)
app.task(name=delivery_tasks.REQUEUE_TASK)(delivery_tasks.requeue_stale)
