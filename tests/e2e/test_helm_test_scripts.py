"""The `helm test` scripts of the platform chart (charts/platform/files/tests), run as the
test pods run them (plain python, BASE_URL at the gateway) against the local stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def run_script(repo_root: Path, stack: str, name: str) -> subprocess.CompletedProcess[str]:
    script = repo_root / "charts" / "platform" / "files" / "tests" / f"{name}.py"
    return subprocess.run(
        [sys.executable, str(script)],
        env={"BASE_URL": stack, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_the_readiness_check_passes_on_a_ready_gateway(repo_root: Path, stack: str) -> None:
    result = run_script(repo_root, stack, "ready")

    assert result.returncode == 0, result.stderr
    assert "gateway ready" in result.stdout


def test_the_register_login_smoke_passes(repo_root: Path, stack: str) -> None:
    result = run_script(repo_root, stack, "smoke")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "register: HTTP 201",
        "login: HTTP 200",
        "me: HTTP 200",
        "register/login smoke passed",
    ]


def test_the_smoke_fails_where_no_gateway_answers(repo_root: Path) -> None:
    # Port 1 refuses connections: the script must fail, not pass vacuously.
    result = run_script(repo_root, "http://127.0.0.1:1", "smoke")

    assert result.returncode != 0
