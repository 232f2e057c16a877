"""checkov over the rendered manifests of every profile: no finding except the documented
skips of checkov-skips.yaml (each with its reason), and no skip that nothing needs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

SKIPS = Path(__file__).with_name("checkov-skips.yaml")
# checkov runs in an environment of its own (uv's tool runner, the uv the dev group pins):
# it requires packaging<24 and ships a fork that takes over the `hcl2` module, so inside the
# workspace it would downgrade everyone's packaging and break python-hcl2 for the bake tests.
CHECKOV_VERSION = "3.3.30"
CHECKOV = [
    str(Path(sys.executable).with_name("uv")),
    "tool",
    "run",
    "--quiet",
    "--from",
    f"checkov=={CHECKOV_VERSION}",
    "checkov",
]


def documented_skips() -> list[dict[str, str]]:
    skips: list[dict[str, str]] = yaml.safe_load(SKIPS.read_text())
    for skip in skips:
        assert skip.get("reason", "").strip(), f"skip {skip['check']} has no reason"
    return skips


def run_checkov(folder: Path) -> list[dict[str, Any]]:
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}  # offline: no guideline download
    result = subprocess.run(
        [
            *CHECKOV,
            "--directory",
            str(folder),
            "--framework",
            "kubernetes",
            "--quiet",
            "--compact",
            "--skip-download",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=300,
    )
    assert result.stdout.strip(), result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["resource_count"] > 0
    failed: list[dict[str, Any]] = report["results"]["failed_checks"]
    return failed


def undocumented(failed: list[dict[str, Any]], skips: list[dict[str, str]]) -> list[str]:
    return [
        f"{finding['check_id']} {finding['check_name']}: {finding['resource']}"
        f" ({finding['file_path']})"
        for finding in failed
        if not any(
            skip["check"] == finding["check_id"]
            and re.fullmatch(skip["resources"], finding["resource"])
            for skip in skips
        )
    ]


def test_checkov_finds_nothing_but_documented_skips(
    rendered_profiles: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    for profile, rendered in rendered_profiles.items():
        documents = [text for source, text in rendered.items() if source.endswith(".yaml")]
        (tmp_path / f"{profile}.yaml").write_text("\n---\n".join(documents))
    failed = run_checkov(tmp_path)
    skips = documented_skips()
    assert undocumented(failed, skips) == []
    unused = [
        skip["check"] for skip in skips if skip["check"] not in {f["check_id"] for f in failed}
    ]
    assert unused == []


def test_checkov_reports_a_privileged_container(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "bad", "namespace": "platform"},
                "spec": {
                    "containers": [
                        {
                            "name": "c",
                            "image": "example/bad:1",
                            "securityContext": {"privileged": True},
                        }
                    ]
                },
            }
        )
    )
    failed = run_checkov(tmp_path)
    assert "CKV_K8S_16" in {finding["check_id"] for finding in failed}
