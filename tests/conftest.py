"""Fixtures shared by the cross-service tests (isolation, e2e, chaos).

These tests run against the real local infrastructure that `make infra` provides.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """Absolute path of the repository root."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def infra(repo_root: Path) -> None:
    """Make sure the local infrastructure is up (idempotent `dev/bin/infra`)."""
    result = subprocess.run(
        [str(repo_root / "dev" / "bin" / "infra")],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"dev/bin/infra failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
