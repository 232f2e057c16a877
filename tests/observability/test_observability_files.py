"""The generated dashboards and rules: current, valid against Grafana's schema and promtool,
every alert documented by a runbook and covered by a promtool unit test."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import dashboards
import generate
import grafana_schema
import pytest
import rules
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ALERT_TESTS = HERE / "alerts_test.yaml"


def promtool() -> str:
    found = shutil.which("promtool")
    assert found, "promtool is missing: make infra installs the Debian package prometheus"
    return found


def dashboard_files() -> list[Path]:
    return sorted(generate.DASHBOARDS_DIR.glob("*.json"))


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def rule_file() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(generate.RULES_FILE.read_text())
    return loaded


def test_committed_files_match_the_generator() -> None:
    assert generate.stale() == [], "run make observability and commit the result"


def test_one_file_per_dashboard() -> None:
    assert [path.stem for path in dashboard_files()] == sorted(d.uid for d in dashboards.DASHBOARDS)
    assert len(dashboard_files()) == 7


@pytest.mark.parametrize("path", dashboard_files(), ids=lambda path: path.stem)
def test_dashboard_is_valid_against_grafana_schema(path: Path) -> None:
    assert grafana_schema.validate(load(path)) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["panels"][1].update(titel="x"), "$.panels[1].titel: not in the schema"),
        (
            lambda d: d["panels"][1]["fieldConfig"]["defaults"].update(unti="s"),
            "$.panels[1].fieldConfig.defaults.unti: not in the schema",
        ),
        (
            lambda d: d["panels"][1]["gridPos"].update(h="8"),
            "$.panels[1].grid_pos.h: '8' is not int",
        ),
        (lambda d: d.update(editable="no"), "$.editable: 'no' is not bool"),
        (
            lambda d: d["panels"][1]["targets"][0].update(expr=["up"]),
            "$.panels[1].targets[0].expr: ['up'] is not str",
        ),
    ],
    ids=[
        "misspelled-panel-key",
        "misspelled-field-config-key",
        "wrong-int",
        "wrong-bool",
        "wrong-str",
    ],
)
def test_schema_validation_reports_defects(mutate: Any, expected: str) -> None:
    document = copy.deepcopy(load(generate.DASHBOARDS_DIR / "platform-overview.json"))
    mutate(document)
    assert expected in grafana_schema.validate(document)


@pytest.mark.parametrize("path", dashboard_files(), ids=lambda path: path.stem)
def test_every_panel_queries_the_datasource_variable(path: Path) -> None:
    document = load(path)
    variables = {v["name"]: v for v in document["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    panels = [p for p in document["panels"] if p["type"] != "row"]
    assert panels
    for panel in panels:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            assert target["expr"].strip()


def test_the_service_detail_dashboard_has_a_service_variable() -> None:
    document = load(generate.DASHBOARDS_DIR / "platform-service.json")
    service = next(v for v in document["templating"]["list"] if v["name"] == "service")
    assert service["query"] == "label_values(http_requests_total, service)"
    exprs = [t["expr"] for p in document["panels"] for t in p.get("targets", [])]
    assert all("$service" in expr for expr in exprs)


def test_cluster_only_queries_say_why() -> None:
    marked = dashboards.cluster_only()
    assert marked
    assert all(reason.strip() for reason in marked.values())
    assert all(("kube_" in expr) or ("container_" in expr) for expr in marked)


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        (
            'sum by (service) (rate(http_requests_total{status=~"5.."}[$__rate_interval]))',
            {"http_requests_total"},
        ),
        (
            "histogram_quantile(0.95, sum by (le) (rate(celery_task_duration_seconds_bucket[1m])))",
            {"celery_task_duration_seconds_bucket"},
        ),
        (
            "service:http_request_errors:ratio_rate1h / 0.001",
            {"service:http_request_errors:ratio_rate1h"},
        ),
        ("sum(a_total) or on () 0 * sum(b_total)", {"a_total", "b_total"}),
    ],
)
def test_metric_names_of_a_query(expr: str, names: set[str]) -> None:
    assert dashboards.metric_names(expr) == names


def test_promtool_check_rules() -> None:
    result = subprocess.run(
        [promtool(), "check", "rules", str(generate.RULES_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {sum(len(g['rules']) for g in rule_file()['groups'])} rules found" in (
        result.stdout + result.stderr
    )


def test_promtool_unit_tests_pass() -> None:
    result = subprocess.run(
        [promtool(), "test", "rules", str(ALERT_TESTS)],
        capture_output=True,
        text=True,
        check=False,
        cwd=HERE,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_every_alert_fires_in_a_unit_test() -> None:
    tests = yaml.safe_load(ALERT_TESTS.read_text())["tests"]
    firing = {
        case["alertname"]
        for test in tests
        for case in test["alert_rule_test"]
        if case["exp_alerts"]
    }
    assert firing == set(rules.alert_names())


def test_every_alert_is_documented() -> None:
    alerts = [rule for g in rule_file()["groups"] for rule in g["rules"] if "alert" in rule]
    assert len(alerts) == 11
    for rule in alerts:
        annotations = rule["annotations"]
        assert set(annotations) == {"summary", "description", "runbook_url"}, rule["alert"]
        assert annotations["runbook_url"] == f"docs/runbooks/{rule['alert']}.md"
        runbook = ROOT / annotations["runbook_url"]
        assert runbook.exists(), runbook
        assert runbook.read_text().startswith(f"# {rule['alert']}\n")
        assert rule["labels"]["severity"] in {"critical", "warning"}


def test_no_runbook_without_an_alert() -> None:
    pages = {path.stem for path in (ROOT / "docs" / "runbooks").glob("*.md")} - {"README"}
    assert pages == set(rules.alert_names())
