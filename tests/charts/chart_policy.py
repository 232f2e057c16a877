"""Policy checks over rendered objects: each returns the violations it finds (empty: clean).

Kept apart from the tests so the tests can also prove each check catches a broken object.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from chart_rendering import (
    DJANGO_SERVICES,
    RELEASE,
    Manifest,
    containers,
    pod_specs,
)

from platform_common.events import heartbeats

UID = 10001
LONG_RUNNING = ("Deployment", "StatefulSet", "DaemonSet")


def selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Kubernetes label-selector semantics (matchLabels and matchExpressions)."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values")
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def restricted_security(objects: list[Manifest]) -> list[str]:
    found = []
    for item, _, spec in pod_specs(objects):
        pod = spec.get("securityContext", {})
        if not (pod.get("runAsNonRoot") is True and pod.get("runAsUser") == UID):
            found.append(f"{item}: pod not non-root uid {UID}")
        if pod.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            found.append(f"{item}: pod seccomp is not RuntimeDefault")
        if spec.get("automountServiceAccountToken") is not False:
            found.append(f"{item}: mounts a service account token")
        for container in containers(spec):
            context = container.get("securityContext", {})
            name = f"{item} container {container['name']}"
            if context.get("allowPrivilegeEscalation") is not False:
                found.append(f"{name}: allowPrivilegeEscalation is not false")
            if context.get("readOnlyRootFilesystem") is not True:
                found.append(f"{name}: root filesystem is writable")
            if context.get("capabilities", {}).get("drop") != ["ALL"]:
                found.append(f"{name}: does not drop ALL capabilities")
            if context.get("capabilities", {}).get("add"):
                found.append(f"{name}: adds capabilities")
            if context.get("privileged"):
                found.append(f"{name}: privileged")
            if context.get("runAsNonRoot") is not True or context.get("runAsUser", UID) != UID:
                found.append(f"{name}: not non-root uid {UID}")
    return found


def data_plane_pod_settings(item: Manifest) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(pod securityContext, container securityContexts) a Redis or RabbitMQ resource sets."""
    spec = item.obj["spec"]
    if item.kind == "RabbitmqCluster":
        pod = spec["override"]["statefulSet"]["spec"]["template"]["spec"]
        return pod.get("securityContext", {}), [
            container.get("securityContext", {})
            for container in [*pod.get("initContainers", []), *pod.get("containers", [])]
        ]
    if item.kind == "RedisCluster":
        roles = [spec.get("redisLeader", {}), spec.get("redisFollower", {})]
        return spec.get("podSecurityContext", {}), [r.get("securityContext", {}) for r in roles]
    return spec.get("podSecurityContext", {}), [spec.get("securityContext", {})]


# The operators' Redis and RabbitMQ images write their configuration at start, so their
# root filesystem stays writable; everything else of the restricted profile applies.
DATA_PLANE_KINDS = ("RabbitmqCluster", "RedisCluster", "RedisReplication", "RedisSentinel")


def data_plane_security(objects: list[Manifest]) -> list[str]:
    found = []
    for item in objects:
        if item.kind not in DATA_PLANE_KINDS:
            continue
        pod, contexts = data_plane_pod_settings(item)
        if pod.get("runAsNonRoot") is not True:
            found.append(f"{item}: pod not non-root")
        if pod.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            found.append(f"{item}: pod seccomp is not RuntimeDefault")
        if item.kind == "RabbitmqCluster" and len(contexts) != 2:
            found.append(f"{item}: the setup and rabbitmq containers are not both restricted")
        for context in contexts:
            if context.get("allowPrivilegeEscalation") is not False:
                found.append(f"{item}: allowPrivilegeEscalation is not false")
            if context.get("capabilities", {}).get("drop") != ["ALL"]:
                found.append(f"{item}: does not drop ALL capabilities")
            if context.get("privileged") is not False:
                found.append(f"{item}: may be privileged")
    return found


def writable_paths_are_emptydirs(objects: list[Manifest]) -> list[str]:
    """Writable mounts are emptyDirs, and /tmp is one of them (read-only root filesystem)."""
    found = []
    for item, _, spec in pod_specs(objects):
        kinds = {volume["name"]: volume for volume in spec.get("volumes", [])}
        for container in containers(spec):
            mounts = {mount["mountPath"]: mount for mount in container.get("volumeMounts", [])}
            if item.kind != "Pod" and "/tmp" not in mounts:
                found.append(f"{item} container {container['name']}: no writable /tmp")
            for path, mount in mounts.items():
                volume = kinds[mount["name"]]
                if not mount.get("readOnly") and "emptyDir" not in volume:
                    found.append(f"{item}: {path} is writable and not an emptyDir")
    return found


def probes_and_resources(objects: list[Manifest]) -> list[str]:
    found = []
    for item, _, spec in pod_specs(objects):
        for container in containers(spec):
            name = f"{item} container {container['name']}"
            resources = container.get("resources", {})
            for section in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in resources.get(section, {}):
                        found.append(f"{name}: no {section}.{resource}")
        if item.kind in LONG_RUNNING:
            for container in spec["containers"]:
                for probe in ("livenessProbe", "readinessProbe"):
                    if probe not in container:
                        found.append(f"{item} container {container['name']}: no {probe}")
    return found


# Processes without an HTTP port beat into /tmp (platform_common.heartbeat); the probe's
# limit must leave room for the longest quiet stretch of each (see its values.yaml).
HEARTBEAT_COMPONENTS = {
    "worker": heartbeats.WORKER_HEARTBEAT_SECONDS * 3,
    "beat": heartbeats.BEAT_MAX_LOOP_SECONDS * 3,
    # A pass waits up to 35 s for confirms; a reconnect backs off up to 30 s.
    "relay": 65.0,
}


def stale_process_probes(objects: list[Manifest]) -> list[str]:
    """Worker, relay and beat pods probe their own heartbeat with a limit they can keep."""
    found = []
    for item, metadata, spec in pod_specs(objects):
        labels = metadata["labels"]
        component = labels.get("app.kubernetes.io/component")
        if item.kind not in LONG_RUNNING or component not in HEARTBEAT_COMPONENTS:
            continue
        (container,) = spec["containers"]
        name = f"{labels['app.kubernetes.io/name']}-{component}"
        for probe in ("livenessProbe", "readinessProbe"):
            command = container.get(probe, {}).get("exec", {}).get("command", [])
            if command[:4] != ["python", "-m", "platform_common.heartbeat", name]:
                found.append(f"{item} {probe}: not the heartbeat of {name}: {command}")
            elif float(command[4]) < HEARTBEAT_COMPONENTS[component]:
                found.append(f"{item} {probe}: heartbeat limit {command[4]} s is too short")
        if "/tmp" not in {mount["mountPath"] for mount in container.get("volumeMounts", [])}:
            found.append(f"{item}: no writable /tmp for the heartbeat")
    return found


def image_references(objects: list[Manifest]) -> list[tuple[Manifest, str]]:
    images = []
    for item, _, spec in pod_specs(objects):
        images += [(item, container["image"]) for container in containers(spec)]
    for item in objects:
        spec = item.obj.get("spec", {})
        if isinstance(spec.get("image"), str):
            images.append((item, spec["image"]))
        if "kubernetesConfig" in spec:
            images.append((item, spec["kubernetesConfig"]["image"]))
    return images


def floating_tags(objects: list[Manifest]) -> list[str]:
    found = []
    for item, image in image_references(objects):
        tag = image.rpartition(":")[2] if ":" in image.rpartition("/")[2] else ""
        if tag in ("", "latest"):
            found.append(f"{item}: image {image!r} has no fixed tag")
    return found


def network_policies(objects: list[Manifest]) -> list[Manifest]:
    return [item for item in objects if item.kind == "NetworkPolicy"]


def is_default_deny(policy: Manifest) -> bool:
    spec = policy.obj["spec"]
    return (
        spec["podSelector"] == {}
        and set(spec.get("policyTypes", [])) == {"Ingress", "Egress"}
        and not spec.get("ingress")
        and not spec.get("egress")
    )


def pods_without_network_policy(objects: list[Manifest]) -> list[str]:
    """Every pod is under the default deny and under a policy that names its own flows."""
    policies = network_policies(objects)
    found = []
    if not any(is_default_deny(policy) for policy in policies):
        found.append("no default-deny NetworkPolicy (podSelector {}, Ingress and Egress)")
    for item, metadata, _ in pod_specs(objects):
        labels = metadata.get("labels", {})
        own = [
            policy
            for policy in policies
            if not is_default_deny(policy)
            and selector_matches(policy.obj["spec"]["podSelector"], labels)
        ]
        if not own:
            found.append(f"{item}: no NetworkPolicy selects its pods")
    return found


def replica_range(item: Manifest, objects: list[Manifest]) -> tuple[int, int]:
    replicas = int(item.obj["spec"].get("replicas", 1))
    low, high = replicas, replicas
    for scaler in objects:
        target = scaler.obj.get("spec", {}).get("scaleTargetRef", {}).get("name")
        if target != item.name:
            continue
        spec = scaler.obj["spec"]
        if scaler.kind == "HorizontalPodAutoscaler":
            low, high = spec.get("minReplicas", 1), spec["maxReplicas"]
        elif scaler.kind == "ScaledObject":
            low, high = spec.get("minReplicaCount", 0), spec.get("maxReplicaCount", 100)
    return low, high


def multi_replica_workloads_without_pdb(objects: list[Manifest]) -> list[str]:
    budgets = [item for item in objects if item.kind == "PodDisruptionBudget"]
    found = []
    for item in objects:
        if item.kind != "Deployment" or max(replica_range(item, objects)) < 2:
            continue
        labels = item.obj["spec"]["template"]["metadata"]["labels"]
        if not any(selector_matches(pdb.obj["spec"]["selector"], labels) for pdb in budgets):
            found.append(f"{item}: runs several replicas without a PodDisruptionBudget")
    return found


def services_without_service_monitor(objects: list[Manifest]) -> list[str]:
    """Every Django service's web pods are scraped through their Service."""
    services = [item for item in objects if item.kind == "Service"]
    monitors = [item for item in objects if item.kind == "ServiceMonitor"]
    found = []
    for name in DJANGO_SERVICES:
        web = {
            "app.kubernetes.io/name": name,
            "app.kubernetes.io/instance": RELEASE,
            "app.kubernetes.io/component": "web",
        }
        fronts = [s for s in services if s.obj["spec"].get("selector") == web]
        scraped = [
            monitor
            for monitor in monitors
            for service in fronts
            if selector_matches(monitor.obj["spec"]["selector"], service.obj["metadata"]["labels"])
            and any(e.get("path") == "/metrics" for e in monitor.obj["spec"]["endpoints"])
        ]
        if not scraped:
            found.append(f"{name}: no ServiceMonitor scrapes /metrics of its web pods")
    return found


def metrics_ports_without_pod_monitor(objects: list[Manifest]) -> list[str]:
    """Every pod with a ``metrics`` port (gateway, workers, relays) is scraped there, and every
    chart has such pods: the gateway's web and each Django service's worker and relay."""
    monitors = [item for item in objects if item.kind == "PodMonitor"]
    found, with_port = [], set()
    for item, metadata, spec in pod_specs(objects):
        ports = {port["name"] for c in containers(spec) for port in c.get("ports", [])}
        if "metrics" not in ports:
            continue
        labels = metadata["labels"]
        with_port.add(
            (labels.get("app.kubernetes.io/name"), labels.get("app.kubernetes.io/component"))
        )
        if not any(
            selector_matches(monitor.obj["spec"]["selector"], labels)
            and any(
                e.get("port") == "metrics" and e.get("path") == "/metrics"
                for e in monitor.obj["spec"]["podMetricsEndpoints"]
            )
            for monitor in monitors
        ):
            found.append(f"{item}: no PodMonitor scrapes its metrics port")
    expected = {("gateway", "web")} | {
        (name, component) for name in DJANGO_SERVICES for component in ("worker", "relay")
    }
    found += [f"{name} {component}: no metrics port" for name, component in expected - with_port]
    return found


def referenced_secrets(spec: dict[str, Any]) -> set[str]:
    names = {
        volume["secret"]["secretName"] for volume in spec.get("volumes", []) if "secret" in volume
    }
    for container in containers(spec):
        for variable in container.get("env", []):
            reference = variable.get("valueFrom", {}).get("secretKeyRef")
            if reference:
                names.add(reference["name"])
        for source in container.get("envFrom", []):
            if "secretRef" in source:
                names.add(source["secretRef"]["name"])
    return names


def foreign_secret_mounts(objects: list[Manifest]) -> list[str]:
    """A service's database, broker and Django secrets are referenced by its own pods only."""
    found = []
    for item, metadata, spec in pod_specs(objects):
        owner = metadata.get("labels", {}).get("app.kubernetes.io/name")
        for secret in referenced_secrets(spec):
            for service in DJANGO_SERVICES:
                private = (
                    f"{RELEASE}-{service}-db-app",
                    f"{RELEASE}-{service}-amqp-user-credentials",
                    f"{RELEASE}-{service}-django",
                    f"{RELEASE}-{service}-jwt-keys",
                    f"{RELEASE}-{service}-mfa",
                )
                if secret in private and owner != service:
                    found.append(f"{item} ({owner}) references {service}'s secret {secret}")
    return found


def env_value(container: dict[str, Any], name: str) -> str | None:
    for variable in container.get("env", []):
        if variable["name"] == name:
            value = variable.get("value")
            return str(value) if value is not None else None
    return None


def database_host(url: str) -> str:
    return re.sub(r"^[a-z]+://[^@]*@", "", url).split(":")[0].split("/")[0]


def migration_hooks_not_on_rw(objects: list[Manifest]) -> list[str]:
    clusters = {item.name for item in objects if item.kind == "Cluster"}
    jobs = [item for item in objects if item.kind == "Job"]
    found = []
    hooked = set()
    for job in jobs:
        hooks = job.obj["metadata"].get("annotations", {}).get("helm.sh/hook", "")
        if "post-install" not in hooks or "pre-upgrade" not in hooks:
            found.append(f"{job}: not a post-install/pre-upgrade hook")
        service = job.obj["metadata"]["labels"]["app.kubernetes.io/name"]
        hooked.add(service)
        for container in containers(job.obj["spec"]["template"]["spec"]):
            host = database_host(env_value(container, "DATABASE_URL") or "")
            if host != f"{RELEASE}-{service}-db-rw" or host.removesuffix("-rw") not in clusters:
                found.append(f"{job} container {container['name']}: migrates through {host!r}")
    for service in DJANGO_SERVICES:
        if service not in hooked:
            found.append(f"{service}: no migration hook Job")
    return found


def runtime_not_through_pooler(objects: list[Manifest]) -> list[str]:
    poolers = {item.name: item.obj["spec"] for item in objects if item.kind == "Pooler"}
    found = []
    for item, _, spec in pod_specs(objects):
        if item.kind != "Deployment":
            continue
        for container in spec["containers"]:
            url = env_value(container, "DATABASE_URL")
            if url is None:
                continue
            host = database_host(url)
            pooler = poolers.get(host)
            if pooler is None or pooler["pgbouncer"]["poolMode"] != "transaction":
                found.append(f"{item}: runtime database {host!r} is no transaction-mode Pooler")
    return found


def graceful_shutdown_mismatches(objects: list[Manifest]) -> list[str]:
    """The grace period outlasts the server's own graceful timeout plus the preStop pause."""
    found = []
    for item, _, spec in pod_specs(objects):
        if item.kind != "Deployment":
            continue
        grace = spec["terminationGracePeriodSeconds"]
        for container in spec["containers"]:
            command = shlex.join(container["command"])
            match = re.search(r"--(?:graceful-timeout|timeout-graceful-shutdown) (\d+)", command)
            pause = container.get("lifecycle", {}).get("preStop", {}).get("sleep", {})
            needed = (int(match.group(1)) if match else 0) + int(pause.get("seconds", 0))
            if match is None and container["command"][0] in ("gunicorn", "uvicorn"):
                found.append(f"{item}: web server without an explicit graceful timeout")
            if grace <= needed:
                found.append(f"{item}: grace {grace}s does not cover {needed}s of shutdown")
    return found
