"""Render the charts offline (Helm's Go SDK through helm-python-sdk, no cluster, no binary).

The charts are copied to a temporary folder first: `helm dependency build` packages each
chart's dependencies into its `charts/` folder, which must not land in the checkout.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import helm_python as helm
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHARTS = ROOT / "charts"
# Build order: each chart after the charts it depends on.
CHART_NAMES = ("common", "accounts", "content", "notifications", "gateway", "platform")
SERVICE_CHARTS = ("accounts", "content", "notifications", "gateway")
DJANGO_SERVICES = ("accounts", "content", "notifications")
# Every values profile of the platform chart: None is the chart's own defaults.
PROFILES: dict[str, Path | None] = {
    "default": None,
    "kind": CHARTS / "platform" / "values-kind.yaml",
    "staging": CHARTS / "platform" / "values-staging.yaml",
    "production": CHARTS / "platform" / "values-production.yaml",
}
RELEASE = "platform"
NAMESPACE = "platform"


@dataclass(frozen=True)
class Manifest:
    source: str
    obj: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.obj["kind"])

    @property
    def name(self) -> str:
        return str(self.obj["metadata"]["name"])

    def __str__(self) -> str:
        return f"{self.kind}/{self.name} ({self.source})"


def build_charts(destination: Path) -> Path:
    """Copy charts/ (symlinks resolved) and build every chart's dependencies."""
    target = destination / "charts"
    shutil.copytree(CHARTS, target, symlinks=False)
    for name in CHART_NAMES:
        if (target / name / "Chart.yaml").exists() and name != "common":
            helm.dependency_build(target / name)
    return target


def load_values(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    loaded = yaml.safe_load(path.read_text())
    return loaded if isinstance(loaded, dict) else {}


def render(chart_dir: Path, values: dict[str, Any]) -> dict[str, str]:
    with helm.Chart.load(chart_dir) as chart:
        chart.validate_schema(values)
        return chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)


def manifests(rendered: dict[str, str]) -> list[Manifest]:
    found = []
    for source, text in rendered.items():
        if not source.endswith((".yaml", ".yml")):
            continue
        for obj in yaml.safe_load_all(text):
            if obj:
                found.append(Manifest(source=source, obj=obj))
    return found


def pod_specs(items: list[Manifest]) -> Iterator[tuple[Manifest, dict[str, Any], dict[str, Any]]]:
    """(object, pod metadata, pod spec) of every Deployment, Job and bare Pod."""
    for item in items:
        if item.kind in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
            template = item.obj["spec"]["template"]
            yield item, template["metadata"], template["spec"]
        elif item.kind == "Pod":
            yield item, item.obj["metadata"], item.obj["spec"]


def containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*spec.get("initContainers", []), *spec["containers"]]
