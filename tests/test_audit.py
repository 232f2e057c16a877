"""`make audit` (dev/bin/audit): pip-audit over the lock, tolerant of a machine offline."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path


def test_audit_warns_and_passes_when_the_vulnerability_service_is_unreachable(
    repo_root: Path,
) -> None:
    # A port bound but never listening refuses connections: every HTTPS request of
    # pip-audit, sent through it as a proxy, fails at once, as on a machine offline.
    with socket.socket() as unreachable:
        unreachable.bind(("127.0.0.1", 0))
        proxy = f"http://127.0.0.1:{unreachable.getsockname()[1]}"
        result = subprocess.run(
            [str(repo_root / "dev" / "bin" / "audit")],
            env={**os.environ, "HTTPS_PROXY": proxy, "https_proxy": proxy},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "[audit] WARNING: vulnerability service unreachable" in result.stderr
    assert "the lock was NOT checked for known vulnerabilities" in result.stderr
