"""The platform chart ships the generated dashboards (one ConfigMap each, labelled for the
Grafana sidecar) and the generated rules (one PrometheusRule, the file the local Prometheus
loads), both switchable, with runbook links under a configurable base."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from chart_rendering import CHARTS, Manifest, manifests, render

FILES = CHARTS / "platform" / "files"
DASHBOARDS = sorted((FILES / "dashboards").glob("*.json"))
RULES = FILES / "prometheus" / "rules.yaml"


def dashboard_maps(objects: list[Manifest]) -> list[Manifest]:
    return [
        item
        for item in objects
        if item.kind == "ConfigMap" and item.obj["metadata"]["labels"].get("grafana_dashboard")
    ]


def prometheus_rules(objects: list[Manifest]) -> list[Manifest]:
    return [item for item in objects if item.kind == "PrometheusRule"]


def test_every_dashboard_ships_in_its_own_configmap(objects: list[Manifest]) -> None:
    maps = dashboard_maps(objects)
    assert len(maps) == len(DASHBOARDS) == 7
    shipped = {}
    for item in maps:
        assert item.obj["metadata"]["labels"]["grafana_dashboard"] == "1"
        assert item.obj["metadata"]["namespace"] == "platform"
        ((key, text),) = item.obj["data"].items()
        shipped[key] = text
    assert shipped == {path.name: path.read_text().rstrip("\n") for path in DASHBOARDS}
    uids = {json.loads(text)["uid"] for text in shipped.values()}
    assert uids == {path.stem for path in DASHBOARDS}


def test_the_prometheus_rule_is_the_rules_file(objects: list[Manifest]) -> None:
    (rule,) = prometheus_rules(objects)
    assert rule.obj["apiVersion"] == "monitoring.coreos.com/v1"
    assert rule.obj["spec"] == yaml.safe_load(RULES.read_text())
    alerts = [r for g in rule.obj["spec"]["groups"] for r in g["rules"] if "alert" in r]
    assert len(alerts) == 11


def monitoring_values(**monitoring: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "dashboards": {"enabled": True, "labels": {"grafana_dashboard": "1"}},
        "rules": {"enabled": True, "labels": {}, "runbookBaseUrl": ""},
    }
    for section, values in monitoring.items():
        defaults[section] = {**defaults[section], **values}
    return {"monitoring": defaults}


def test_rules_carry_the_selector_labels_and_runbook_links(built_charts: Path) -> None:
    values = monitoring_values(
        rules={
            "labels": {"release": "kube-prometheus-stack"},
            "runbookBaseUrl": "https://git.example.com/platform/blob/main/",
        }
    )
    objects = manifests(render(built_charts / "platform", values))
    (rule,) = prometheus_rules(objects)
    assert rule.obj["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    alerts = [r for g in rule.obj["spec"]["groups"] for r in g["rules"] if "alert" in r]
    for alert in alerts:
        assert alert["annotations"]["runbook_url"] == (
            f"https://git.example.com/platform/blob/main/docs/runbooks/{alert['alert']}.md"
        )
    # Only the link changed: everything else is the rules file.
    expected = yaml.safe_load(RULES.read_text())
    for group in expected["groups"]:
        for rule_ in group["rules"]:
            if "alert" in rule_:
                name = rule_["annotations"]["runbook_url"]
                rule_["annotations"]["runbook_url"] = (
                    f"https://git.example.com/platform/blob/main/{name}"
                )
    assert rule.obj["spec"] == expected


def test_dashboards_and_rules_can_be_switched_off(built_charts: Path) -> None:
    values = monitoring_values(dashboards={"enabled": False}, rules={"enabled": False})
    objects = manifests(render(built_charts / "platform", values))
    assert dashboard_maps(objects) == []
    assert prometheus_rules(objects) == []
