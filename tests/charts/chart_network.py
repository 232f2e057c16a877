"""A small NetworkPolicy evaluator: may a pod with these labels reach that pod on a port?

Kubernetes semantics for what the charts use: a pod selected by no policy of a direction is
open in that direction; otherwise some rule of a selecting policy must admit the peer and
the port, on both ends (egress of the source, ingress of the destination).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chart_policy import selector_matches
from chart_rendering import NAMESPACE, Manifest


@dataclass(frozen=True)
class Pod:
    labels: dict[str, str]
    namespace: str = NAMESPACE
    namespace_labels: dict[str, str] = field(default_factory=dict)
    ip: str = "10.244.1.10"

    def ns_labels(self) -> dict[str, str]:
        return {"kubernetes.io/metadata.name": self.namespace, **self.namespace_labels}


def peer_matches(peer: dict[str, Any], pod: Pod, policy_namespace: str) -> bool:
    if "ipBlock" in peer:
        return False  # the flows checked here are pod to pod
    if "namespaceSelector" in peer:
        if not selector_matches(peer["namespaceSelector"], pod.ns_labels()):
            return False
    elif pod.namespace != policy_namespace:
        return False
    return "podSelector" not in peer or selector_matches(peer["podSelector"], pod.labels)


def port_matches(rule: dict[str, Any], port: int) -> bool:
    ports = rule.get("ports")
    return not ports or any(entry.get("port") == port for entry in ports)


def direction_allows(
    policies: list[Manifest], subject: Pod, peer: Pod, port: int, direction: str
) -> bool:
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    selecting = [
        policy.obj
        for policy in policies
        if policy.obj["metadata"].get("namespace", NAMESPACE) == subject.namespace
        and direction in policy.obj["spec"].get("policyTypes", [])
        and selector_matches(policy.obj["spec"]["podSelector"], subject.labels)
    ]
    if not selecting:
        return True
    for policy in selecting:
        namespace = policy["metadata"].get("namespace", NAMESPACE)
        for rule in policy["spec"].get(key) or []:
            peers = rule.get(peers_key)
            if port_matches(rule, port) and (
                not peers or any(peer_matches(entry, peer, namespace) for entry in peers)
            ):
                return True
    return False


def allowed(objects: list[Manifest], source: Pod, destination: Pod, port: int) -> bool:
    policies = [item for item in objects if item.kind == "NetworkPolicy"]
    return direction_allows(policies, source, destination, port, "Egress") and direction_allows(
        policies, destination, source, port, "Ingress"
    )
