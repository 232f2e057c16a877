"""Policies every rendered profile obeys, each also shown to catch a broken object."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import chart_policy as policy
import pytest
from chart_rendering import DJANGO_SERVICES, RELEASE, Manifest, containers, pod_specs

Check = Callable[[list[Manifest]], list[str]]
CHECKS: dict[str, Check] = {
    "restricted pod security": policy.restricted_security,
    "data-plane pods restricted": policy.data_plane_security,
    "writable paths are emptyDirs": policy.writable_paths_are_emptydirs,
    "probes and resources": policy.probes_and_resources,
    "worker, relay and beat probe their heartbeat": policy.stale_process_probes,
    "no floating image tag": policy.floating_tags,
    "a NetworkPolicy selects every pod": policy.pods_without_network_policy,
    "a PDB for every multi-replica workload": policy.multi_replica_workloads_without_pdb,
    "a ServiceMonitor per service": policy.services_without_service_monitor,
    "a PodMonitor for every metrics port": policy.metrics_ports_without_pod_monitor,
    "secrets referenced by their own service only": policy.foreign_secret_mounts,
    "migration hooks on the read-write service": policy.migration_hooks_not_on_rw,
    "runtime traffic through the transaction pooler": policy.runtime_not_through_pooler,
    "grace periods cover graceful shutdowns": policy.graceful_shutdown_mismatches,
}


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_rendered_objects_obey(objects: list[Manifest], check: str) -> None:
    assert CHECKS[check](objects) == []


def first(objects: list[Manifest], kind: str, name_part: str = "") -> Manifest:
    return next(item for item in objects if item.kind == kind and name_part in item.name)


def mutated(
    objects: list[Manifest], target: Manifest, change: Callable[[dict[str, Any]], None]
) -> list[Manifest]:
    clone = copy.deepcopy(target.obj)
    change(clone)
    return [Manifest(item.source, clone) if item is target else item for item in objects]


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = obj["spec"]["template"]["spec"]
    return spec


def test_checks_catch_broken_objects(platform_manifests: dict[str, list[Manifest]]) -> None:
    objects = platform_manifests["production"]
    web = first(objects, "Deployment", "accounts-web")
    worker = first(objects, "Deployment", "content-worker")
    job = first(objects, "Job", "notifications")
    cases: list[tuple[Check, Manifest, Callable[[dict[str, Any]], None]]] = [
        (
            policy.restricted_security,
            web,
            lambda o: pod_spec(o)["containers"][0]["securityContext"].update(
                readOnlyRootFilesystem=False
            ),
        ),
        (
            policy.restricted_security,
            web,
            lambda o: pod_spec(o)["securityContext"].update(runAsUser=0),
        ),
        (
            policy.writable_paths_are_emptydirs,
            web,
            lambda o: pod_spec(o)["containers"][0]["volumeMounts"].pop(0),
        ),
        (
            policy.probes_and_resources,
            worker,
            lambda o: pod_spec(o)["containers"][0].pop("livenessProbe"),
        ),
        (
            policy.probes_and_resources,
            worker,
            lambda o: pod_spec(o)["containers"][0]["resources"].pop("limits"),
        ),
        (
            policy.stale_process_probes,
            worker,
            lambda o: pod_spec(o)["containers"][0]["livenessProbe"].update(
                exec={"command": ["python", "-c", "import sys; sys.exit(0)"]}
            ),
        ),
        (
            policy.stale_process_probes,
            worker,
            lambda o: pod_spec(o)["containers"][0]["readinessProbe"]["exec"]["command"].__setitem__(
                4, "5"
            ),
        ),
        (
            policy.data_plane_security,
            first(objects, "RedisSentinel"),
            lambda o: o["spec"]["securityContext"]["capabilities"].update(drop=["NET_RAW"]),
        ),
        (
            policy.data_plane_security,
            first(objects, "RabbitmqCluster"),
            lambda o: o["spec"]["override"]["statefulSet"]["spec"]["template"]["spec"].pop(
                "initContainers"
            ),
        ),
        (
            policy.floating_tags,
            web,
            lambda o: pod_spec(o)["containers"][0].update(image="example/accounts:latest"),
        ),
        (
            policy.pods_without_network_policy,
            web,
            lambda o: o["spec"]["template"]["metadata"]["labels"].update(
                {"app.kubernetes.io/component": "stray"}
            ),
        ),
        (
            policy.multi_replica_workloads_without_pdb,
            worker,
            lambda o: o["spec"]["template"]["metadata"]["labels"].update(
                {"app.kubernetes.io/component": "unbudgeted"}
            ),
        ),
        (
            policy.foreign_secret_mounts,
            worker,
            lambda o: pod_spec(o)["containers"][0]["env"].append(
                {
                    "name": "X",
                    "valueFrom": {
                        "secretKeyRef": {"name": f"{RELEASE}-accounts-db-app", "key": "password"}
                    },
                }
            ),
        ),
        (
            policy.migration_hooks_not_on_rw,
            job,
            lambda o: next(
                v for v in pod_spec(o)["containers"][0]["env"] if v["name"] == "DATABASE_URL"
            ).update(value=f"postgres://u:p@{RELEASE}-notifications-db-pooler:5432/n"),
        ),
        (
            policy.graceful_shutdown_mismatches,
            web,
            lambda o: pod_spec(o).update(terminationGracePeriodSeconds=10),
        ),
    ]
    for check, target, change in cases:
        assert check(objects) == []
        assert check(mutated(objects, target, change)) != [], check.__name__
    without_monitor = [item for item in objects if item.kind != "ServiceMonitor"]
    assert policy.services_without_service_monitor(without_monitor) != []
    without_pod_monitor = [item for item in objects if item.kind != "PodMonitor"]
    assert policy.metrics_ports_without_pod_monitor(without_pod_monitor) != []


def test_services_are_reachable_only_from_the_gateway(objects: list[Manifest]) -> None:
    for service in DJANGO_SERVICES:
        web = first(objects, "NetworkPolicy", f"{service}-web")
        sources = [source for rule in web.obj["spec"]["ingress"] for source in rule["from"]]
        pods = [
            source["podSelector"]["matchLabels"] for source in sources if "podSelector" in source
        ]
        namespaces = [source for source in sources if "podSelector" not in source]
        assert pods == [
            {
                "app.kubernetes.io/name": "gateway",
                "app.kubernetes.io/instance": RELEASE,
                "app.kubernetes.io/component": "web",
            }
        ]
        # The only other source is the monitoring namespace (metrics scrapes).
        assert [source["namespaceSelector"]["matchLabels"] for source in namespaces] == [
            {"kubernetes.io/metadata.name": "monitoring"}
        ]


def test_beat_is_a_singleton(objects: list[Manifest]) -> None:
    beats = [item for item in objects if item.kind == "Deployment" and item.name.endswith("-beat")]
    assert len(beats) == len(DJANGO_SERVICES)
    for beat in beats:
        assert beat.obj["spec"]["replicas"] == 1
        assert beat.obj["spec"]["strategy"] == {"type": "Recreate"}
        assert policy.replica_range(beat, objects) == (1, 1)


def test_web_pods_wait_for_migrations_and_relays_for_the_topology(objects: list[Manifest]) -> None:
    for item, _, spec in pod_specs(objects):
        if item.kind != "Deployment" or "gateway" in item.name:
            continue
        init = [
            shlex
            for container in spec.get("initContainers", [])
            for shlex in [container["command"]]
        ]
        if item.name.endswith("-web"):
            assert init == [["python", "manage.py", "migrate", "--check"]], item
        if item.name.endswith("-relay"):
            assert init == [["python", "manage.py", "events", "topology", "declare"]], item


def test_production_autoscales_web_on_cpu_and_workers_on_their_queue(
    platform_manifests: dict[str, list[Manifest]],
) -> None:
    objects = platform_manifests["production"]
    hpas = {
        item.obj["spec"]["scaleTargetRef"]["name"]
        for item in objects
        if item.kind == "HorizontalPodAutoscaler"
    }
    assert hpas == {f"{RELEASE}-{svc}-web" for svc in (*DJANGO_SERVICES, "gateway")}
    scaled = {
        item.obj["spec"]["scaleTargetRef"]["name"]: item
        for item in objects
        if item.kind == "ScaledObject"
    }
    assert set(scaled) == {f"{RELEASE}-{svc}-worker" for svc in DJANGO_SERVICES}
    for service in DJANGO_SERVICES:
        (trigger,) = scaled[f"{RELEASE}-{service}-worker"].obj["spec"]["triggers"]
        assert trigger["type"] == "rabbitmq"
        assert trigger["metadata"]["queueName"] == f"{service}.events"


def test_production_spreads_replicated_pods_over_zones_and_nodes(
    platform_manifests: dict[str, list[Manifest]],
) -> None:
    objects = platform_manifests["production"]
    for item, _, spec in pod_specs(objects):
        if item.kind == "Deployment" and max(policy.replica_range(item, objects)) > 1:
            keys = {c["topologyKey"] for c in spec.get("topologySpreadConstraints", [])}
            assert keys == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}, item
    clusters = [item for item in objects if item.kind == "Cluster"]
    assert all(item.obj["spec"]["instances"] >= 3 for item in clusters)
    assert first(objects, "RabbitmqCluster").obj["spec"]["replicas"] == 3
    assert {item.name for item in objects if item.kind == "ScheduledBackup"} == {
        f"{RELEASE}-{svc}-db" for svc in DJANGO_SERVICES
    }


def test_every_container_gets_the_same_environment_sources(objects: list[Manifest]) -> None:
    for item, _, spec in pod_specs(objects):
        if item.kind == "Pod":
            continue
        for container in containers(spec):
            assert container.get("envFrom"), f"{item} {container['name']} reads no ConfigMap"


def test_replicated_data_plane_has_disruption_budgets(
    platform_manifests: dict[str, list[Manifest]],
) -> None:
    objects = platform_manifests["production"]
    rabbitmq = first(objects, "RabbitmqCluster")
    budgets = [item for item in objects if item.kind == "PodDisruptionBudget"]
    assert any(
        policy.selector_matches(
            pdb.obj["spec"]["selector"], {"app.kubernetes.io/name": rabbitmq.name}
        )
        for pdb in budgets
    )
    redis = first(objects, "RedisCluster").obj["spec"]
    assert redis["redisLeader"]["pdb"]["enabled"]
    assert redis["redisFollower"]["pdb"]["enabled"]
    for kind in ("RedisReplication", "RedisSentinel"):
        assert first(objects, kind).obj["spec"]["pdb"]["enabled"], kind
    # CloudNativePG makes its own budgets unless told not to.
    assert all(
        item.obj["spec"].get("enablePDB", True) for item in objects if item.kind == "Cluster"
    )
