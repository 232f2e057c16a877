"""`helm lint --strict` on every chart, and the platform chart with each values profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import helm_python as helm
import pytest
from chart_rendering import CHART_NAMES, PROFILES, load_values

# Helm's lint severities: 1 info, 2 warning, 3 error. --strict fails on warnings too.
WARNING = 2


def lint_findings(path: Path, values: dict[str, Any] | None = None) -> list[str]:
    report = helm.lint(path, values, strict=True, with_subcharts=True)
    findings = [
        f"{message['path']}: {message['error']}"
        for message in report["messages"]
        if message["severity"] >= WARNING
    ]
    return findings + [str(error) for error in report["errors"]]


@pytest.mark.parametrize("chart", CHART_NAMES)
def test_every_chart_passes_helm_lint_strict(built_charts: Path, chart: str) -> None:
    assert lint_findings(built_charts / chart) == []


@pytest.mark.parametrize("profile_name", sorted(PROFILES))
def test_platform_chart_passes_helm_lint_strict_with_each_profile(
    built_charts: Path, profile_name: str
) -> None:
    values = load_values(PROFILES[profile_name])
    assert lint_findings(built_charts / "platform", values) == []


def test_every_chart_has_a_values_schema(built_charts: Path) -> None:
    with_schema = []
    for chart in CHART_NAMES:
        with helm.Chart.load(built_charts / chart) as loaded:
            if loaded.schema:
                with_schema.append(chart)
    assert with_schema == list(CHART_NAMES)


def test_values_schema_refuses_a_latest_image_tag(built_charts: Path) -> None:
    with helm.Chart.load(built_charts / "platform") as chart:
        chart.validate_schema({"global": {"image": {"tag": "1.2.3"}}})
        with pytest.raises(helm.HelmError, match="tag"):
            chart.validate_schema({"global": {"image": {"tag": "latest"}}})


def test_values_schema_refuses_session_pooling(built_charts: Path) -> None:
    # The services keep no session state only because PgBouncer pools transactions.
    with helm.Chart.load(built_charts / "platform") as chart:
        chart.validate_schema({"postgres": {"pooler": {"poolMode": "transaction"}}})
        with pytest.raises(helm.HelmError, match="poolMode"):
            chart.validate_schema({"postgres": {"pooler": {"poolMode": "session"}}})
