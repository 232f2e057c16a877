"""The RabbitMQ objects the chart declares are the ones the code declares
(platform_common.events.topology), queue by queue and argument by argument, and each
service's queue is bound to exactly the event types its handlers subscribe to."""

from __future__ import annotations

import ast
from typing import Any

from chart_rendering import DJANGO_SERVICES, ROOT, Manifest

from platform_common.events import topology


def subscribed_types(service: str) -> set[str]:
    """Event types of every @subscribe("...") in the service's code (tests excluded)."""
    found = set()
    package = ROOT / "services" / service / service
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and getattr(decorator.func, "id", getattr(decorator.func, "attr", ""))
                    == "subscribe"
                    and isinstance(decorator.args[0], ast.Constant)
                ):
                    found.add(str(decorator.args[0].value))
    return found


def specs(objects: list[Manifest], kind: str) -> list[dict[str, Any]]:
    return [item.obj["spec"] for item in objects if item.kind == kind]


def test_exchanges_equal_the_code(objects: list[Manifest]) -> None:
    declared = {
        (spec["name"], spec["type"], spec["durable"], spec.get("autoDelete", False))
        for spec in specs(objects, "Exchange")
    }
    code = {
        (exchange.name, exchange.type, exchange.durable, exchange.auto_delete)
        for exchange in (topology.EVENTS_EXCHANGE, topology.DEAD_LETTER_EXCHANGE)
    }
    assert declared == code


def test_queues_and_their_arguments_equal_the_code(objects: list[Manifest]) -> None:
    declared = {
        spec["name"]: {"x-queue-type": spec["type"], **spec.get("arguments", {})}
        for spec in specs(objects, "Queue")
    }
    code = {}
    for service in DJANGO_SERVICES:
        for queue in (topology.events_queue(service, []), topology.dead_letter_queue(service)):
            assert queue.durable
            assert not queue.auto_delete
            code[queue.name] = dict(queue.queue_arguments or {})
    assert declared == code
    for spec in specs(objects, "Queue"):
        assert spec["durable"]
        assert not spec["autoDelete"]
        assert spec["deletionPolicy"] == "retain"


def test_bindings_equal_the_code_and_the_subscriptions(objects: list[Manifest]) -> None:
    declared = {
        (spec["source"], spec["destination"], spec["routingKey"])
        for spec in specs(objects, "Binding")
    }
    code = set()
    for service in DJANGO_SERVICES:
        queue = topology.events_queue(service, sorted(subscribed_types(service)))
        code |= {
            (binding.exchange.name, queue.name, binding.routing_key)
            for binding in queue.bindings
            if binding.exchange is not None
        }
        dlq = topology.dead_letter_queue(service)
        assert dlq.exchange is not None
        code.add((dlq.exchange.name, dlq.name, dlq.routing_key))
    assert declared == code


def test_subscriptions_are_found_in_the_code() -> None:
    # The scan must see the handlers that exist today, or the comparison above is empty.
    assert "accounts.user.registered" in subscribed_types("notifications")


def test_keda_and_the_services_use_the_declared_queue(objects: list[Manifest]) -> None:
    queues = {spec["name"] for spec in specs(objects, "Queue")}
    for spec in specs(objects, "ScaledObject"):
        for trigger in spec["triggers"]:
            assert trigger["metadata"]["queueName"] in queues


def test_every_topology_object_targets_the_rendered_cluster(objects: list[Manifest]) -> None:
    (cluster,) = [item.name for item in objects if item.kind == "RabbitmqCluster"]
    kinds = ("Exchange", "Queue", "Binding", "Policy", "User", "Permission")
    for kind in kinds:
        for spec in specs(objects, kind):
            assert spec["rabbitmqClusterReference"] == {"name": cluster}
