"""Every rendered object is valid: core kinds for Kubernetes 1.30 and the newest version
kubernetes-validate knows, custom resources against their CRD's JSON Schema (k8s/schemas,
copied from the public CRDs catalog with their checksums)."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from chart_rendering import ROOT, Manifest, manifests, render

SCHEMAS = ROOT / "k8s" / "schemas"
OLDEST_SUPPORTED = "1.30.0"
NEWEST_KNOWN = kubernetes_validate.latest_version()


# API groups of the custom resources (one folder each); everything else is a core kind.
CUSTOM_GROUPS = frozenset(path.name for path in SCHEMAS.iterdir() if path.is_dir())


def is_core(api_version: str) -> bool:
    return api_version.rpartition("/")[0] not in CUSTOM_GROUPS


@cache
def crd_schema(api_version: str, kind: str) -> dict[str, Any]:
    group, _, version = api_version.rpartition("/")
    path = SCHEMAS / group / f"{kind.lower()}_{version}.json"
    assert path.exists(), f"no schema for {api_version} {kind}: copy it into {SCHEMAS}"
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def validation_errors(item: Manifest) -> list[str]:
    api_version = item.obj["apiVersion"]
    if is_core(api_version):
        errors = []
        for version in (OLDEST_SUPPORTED, NEWEST_KNOWN):
            try:
                kubernetes_validate.validate(item.obj, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                errors.append(f"{item} invalid for {version}: {error.message}")
        return errors
    validator = jsonschema.Draft7Validator(crd_schema(api_version, item.kind))
    return [
        f"{item}: {error.json_path}: {error.message}" for error in validator.iter_errors(item.obj)
    ]


def test_every_rendered_object_is_valid(objects: list[Manifest]) -> None:
    errors = [message for item in objects for message in validation_errors(item)]
    assert errors == []


def test_validation_covers_core_and_custom_kinds(objects: list[Manifest]) -> None:
    kinds = {item.kind for item in objects}
    assert {"Deployment", "Job", "NetworkPolicy", "Cluster", "Pooler", "Queue"} <= kinds
    assert {"ConfigMap", "PrometheusRule"} <= kinds


def test_an_invalid_object_is_reported(objects: list[Manifest]) -> None:
    deployment = next(item for item in objects if item.kind == "Deployment")
    broken = json.loads(json.dumps(deployment.obj))
    broken["spec"]["replicas"] = "three"
    assert validation_errors(Manifest(source="broken", obj=broken)) != []
    queue = next(item for item in objects if item.kind == "Queue")
    broken_queue = json.loads(json.dumps(queue.obj))
    broken_queue["spec"]["durable"] = "yes"
    assert validation_errors(Manifest(source="broken", obj=broken_queue)) != []
    rule = next(item for item in objects if item.kind == "PrometheusRule")
    broken_rule = json.loads(json.dumps(rule.obj))
    broken_rule["spec"]["groups"][0]["rules"][0]["expr"] = ["not", "a", "string"]
    assert validation_errors(Manifest(source="broken", obj=broken_rule)) != []


def test_copied_crd_schemas_match_their_checksums() -> None:
    listed = {}
    for line in (SCHEMAS / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name.removeprefix("./")] = digest
    actual = {
        str(path.relative_to(SCHEMAS)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in SCHEMAS.rglob("*.json")
    }
    assert actual == listed


@pytest.mark.parametrize("version", [OLDEST_SUPPORTED, NEWEST_KNOWN])
def test_kubernetes_validate_knows_the_versions(version: str) -> None:
    assert version in kubernetes_validate.utils.all_versions()


def test_the_gateway_api_route_is_valid(built_charts: Path) -> None:
    values = {"ingress": {"enabled": False}, "httpRoute": {"enabled": True}}
    objects = manifests(render(built_charts / "platform", values))
    kinds = {item.kind for item in objects}
    assert "HTTPRoute" in kinds
    assert "Ingress" not in kinds
    errors = [message for item in objects for message in validation_errors(item)]
    assert errors == []
