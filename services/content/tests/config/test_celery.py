from content.articles import tasks
from content.config.celery import app
from platform_common.events.topology import EVENTS_EXCHANGE, direct_routing_key


def test_beat_flushes_views_and_publishes_due_articles_on_contents_own_queue() -> None:
    for name in (tasks.FLUSH_VIEWS_TASK, tasks.PUBLISH_DUE_TASK):
        assert name in app.tasks
        assert app.conf.task_routes[name] == {
            "exchange": EVENTS_EXCHANGE.name,
            "routing_key": direct_routing_key("content"),
        }

    assert app.conf.beat_schedule[tasks.FLUSH_VIEWS_TASK]["schedule"] == 60
    assert app.conf.beat_schedule[tasks.PUBLISH_DUE_TASK]["schedule"] == 30
