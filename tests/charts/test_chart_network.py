"""The NetworkPolicies allow exactly the platform's flows: what each part needs is open on
both ends, and a service is reachable only through the gateway."""

from __future__ import annotations

import pytest
from chart_network import Pod, allowed
from chart_rendering import DJANGO_SERVICES, RELEASE, Manifest


def app(service: str, component: str) -> Pod:
    return Pod(
        {
            "app.kubernetes.io/name": service,
            "app.kubernetes.io/instance": RELEASE,
            "app.kubernetes.io/component": component,
            "app.kubernetes.io/part-of": "platform",
        }
    )


def database(service: str) -> Pod:
    return Pod(
        {"cnpg.io/cluster": f"{RELEASE}-{service}-db", "app.kubernetes.io/instance": RELEASE}
    )


def pooler(service: str) -> Pod:
    return Pod({"cnpg.io/poolerName": f"{RELEASE}-{service}-db-pooler"})


RABBITMQ = Pod({"app.kubernetes.io/name": f"{RELEASE}-rabbitmq"})
REDIS_CLUSTER = Pod({"redis_setup_type": "cluster", "app": f"{RELEASE}-redis-cluster-leader"})
REDIS_CHANNELS = Pod({"redis_setup_type": "replication", "app": f"{RELEASE}-redis-channels"})
SENTINEL = Pod({"redis_setup_type": "sentinel", "app": f"{RELEASE}-redis-sentinel"})
GATEWAY = app("gateway", "web")
TEST_POD = Pod({"app.kubernetes.io/instance": RELEASE, "app.kubernetes.io/component": "test"})
INGRESS = Pod({"app.kubernetes.io/name": "ingress-nginx"}, namespace="ingress-nginx")
PROMETHEUS = Pod({"app.kubernetes.io/name": "prometheus"}, namespace="monitoring")
STRANGER = Pod({"app": "something-else"}, namespace="other")
COMPONENTS = ("web", "worker", "relay", "beat")
METRICS_PORT = 9100


def needed_flows() -> list[tuple[str, Pod, Pod, int]]:
    flows = [
        ("ingress controller -> gateway", INGRESS, GATEWAY, 8000),
        ("helm test -> gateway", TEST_POD, GATEWAY, 8000),
        ("gateway -> redis cluster", GATEWAY, REDIS_CLUSTER, 6379),
        ("prometheus -> gateway", PROMETHEUS, GATEWAY, 8000),
        ("prometheus -> gateway metrics", PROMETHEUS, GATEWAY, METRICS_PORT),
    ]
    for service in DJANGO_SERVICES:
        flows += [
            (f"gateway -> {service}", GATEWAY, app(service, "web"), 8000),
            (f"prometheus -> {service}", PROMETHEUS, app(service, "web"), 8000),
            (f"prometheus -> {service} worker", PROMETHEUS, app(service, "worker"), METRICS_PORT),
            (f"prometheus -> {service} relay", PROMETHEUS, app(service, "relay"), METRICS_PORT),
            (
                f"{service} migrate -> its database",
                app(service, "migrate"),
                database(service),
                5432,
            ),
            (f"{service} pooler -> its database", pooler(service), database(service), 5432),
            (f"{service} replication", database(service), database(service), 5432),
            (f"{service} migrate -> rabbitmq", app(service, "migrate"), RABBITMQ, 5672),
        ]
        for component in COMPONENTS:
            pod = app(service, component)
            flows += [
                (f"{service} {component} -> its pooler", pod, pooler(service), 5432),
                (f"{service} {component} -> rabbitmq", pod, RABBITMQ, 5672),
                (f"{service} {component} -> redis cluster", pod, REDIS_CLUSTER, 6379),
                (f"{service} {component} -> channel layer", pod, REDIS_CHANNELS, 6379),
                (f"{service} {component} -> sentinel", pod, SENTINEL, 26379),
                (f"{service} {component} -> gateway (JWKS)", pod, GATEWAY, 8000),
            ]
    return flows


def forbidden_flows() -> list[tuple[str, Pod, Pod, int]]:
    flows = [
        ("stranger -> gateway", STRANGER, GATEWAY, 8000),
        # The public edge never serves /metrics: only Prometheus reaches its port.
        ("ingress controller -> gateway metrics", INGRESS, GATEWAY, METRICS_PORT),
        ("stranger -> gateway metrics", STRANGER, GATEWAY, METRICS_PORT),
        ("gateway -> rabbitmq", GATEWAY, RABBITMQ, 5672),
    ]
    for service in DJANGO_SERVICES:
        flows += [
            (f"ingress controller -> {service}", INGRESS, app(service, "web"), 8000),
            (f"helm test -> {service}", TEST_POD, app(service, "web"), 8000),
            (
                f"stranger -> {service} worker metrics",
                STRANGER,
                app(service, "worker"),
                METRICS_PORT,
            ),
            (f"gateway -> {service} relay metrics", GATEWAY, app(service, "relay"), METRICS_PORT),
            (f"stranger -> {service} database", STRANGER, database(service), 5432),
            (f"gateway -> {service} database", GATEWAY, database(service), 5432),
            (
                f"{service} web -> its database, bypassing the pooler",
                app(service, "web"),
                database(service),
                5432,
            ),
        ]
        for other in DJANGO_SERVICES:
            if other == service:
                continue
            flows += [
                (f"{other} web -> {service} web", app(other, "web"), app(service, "web"), 8000),
                (
                    f"{other} worker -> {service} pooler",
                    app(other, "worker"),
                    pooler(service),
                    5432,
                ),
                (
                    f"{other} migrate -> {service} database",
                    app(other, "migrate"),
                    database(service),
                    5432,
                ),
            ]
    return flows


def test_every_needed_flow_is_open(objects: list[Manifest]) -> None:
    closed = [
        name
        for name, source, target, port in needed_flows()
        if not allowed(objects, source, target, port)
    ]
    assert closed == []


def test_every_other_flow_is_closed(objects: list[Manifest]) -> None:
    opened = [
        name
        for name, source, target, port in forbidden_flows()
        if allowed(objects, source, target, port)
    ]
    assert opened == []


@pytest.mark.parametrize("service", DJANGO_SERVICES)
def test_without_the_default_deny_everything_would_be_open(
    objects: list[Manifest], service: str
) -> None:
    # Guard for the evaluator: with no policies at all every flow is allowed.
    assert allowed([], app("content", "web"), app(service, "web"), 8000)
    assert not allowed(objects, STRANGER, app(service, "web"), 8000)


def test_of_the_platforms_processes_only_the_notifications_worker_leaves_the_cluster(
    objects: list[Manifest],
) -> None:
    ours = {*DJANGO_SERVICES, "gateway"}
    external_ports = {
        policy.name: {port["port"] for port in rule["ports"]}
        for policy in objects
        if policy.kind == "NetworkPolicy"
        and policy.obj["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name")
        in ours
        for rule in policy.obj["spec"].get("egress", [])
        if any("ipBlock" in peer for peer in rule.get("to", []))
    }

    # SMTP to the mail relay; HTTPS to the SMS and push providers' webhooks.
    assert external_ports == {f"{RELEASE}-notifications-worker": {25, 465, 587, 443}}
