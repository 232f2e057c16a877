"""The liveness probe of the relay, the Celery worker and beat: the real processes touch
their heartbeat files while they run, the probe (the pods' exec command) passes on a fresh
file, and fails once the process is wedged (stopped with SIGSTOP) or never beat at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from processes import fresh_topology, relay_command, running, wait_until, worker_command

from platform_common import heartbeat

pytestmark = pytest.mark.django_db(transaction=True)

# Small limits keep the test short; the charts allow minutes.
STALE_AFTER_SECONDS = 3


def probe(tmp: Path, name: str, max_age: float) -> subprocess.CompletedProcess[str]:
    """The pods' exec probe, run as the kubelet runs it."""
    return subprocess.run(
        [sys.executable, "-m", "platform_common.heartbeat", name, str(max_age)],
        env={**os.environ, "TMPDIR": str(tmp)},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_a_fresh_heartbeat_passes_and_a_stale_or_missing_one_fails(tmp_path: Path) -> None:
    beat = tmp_path / "svc-relay.heartbeat"

    missing = probe(tmp_path, "svc-relay", 60)
    beat.touch()
    fresh = probe(tmp_path, "svc-relay", 60)
    old = time.time() - 120
    os.utime(beat, (old, old))
    stale = probe(tmp_path, "svc-relay", 60)

    assert (missing.returncode, fresh.returncode, stale.returncode) == (1, 0, 1)
    assert "no heartbeat" in missing.stderr
    assert "is 120s old (limit 60s)" in stale.stderr


def assert_probe_follows_the_process(
    process: subprocess.Popen[bytes], tmp: Path, name: str, *, beats_every: float
) -> None:
    """Beating: the file keeps being touched and the probe passes. Wedged: it fails."""
    path = tmp / f"{name}.heartbeat"
    wait_until(path.exists, timeout=60)
    first = path.stat().st_mtime
    wait_until(lambda: path.stat().st_mtime > first, timeout=beats_every * 3)
    assert probe(tmp, name, STALE_AFTER_SECONDS + beats_every).returncode == 0

    process.send_signal(signal.SIGSTOP)
    try:
        time.sleep(STALE_AFTER_SECONDS + beats_every + 1)
        wedged = probe(tmp, name, STALE_AFTER_SECONDS + beats_every)
    finally:
        process.send_signal(signal.SIGCONT)

    assert wedged.returncode == 1, wedged.stderr
    wait_until(lambda: probe(tmp, name, STALE_AFTER_SECONDS + beats_every).returncode == 0)


def test_the_relay_beats_while_it_relays(tmp_path: Path) -> None:
    fresh_topology()
    with running(relay_command(), env={"TMPDIR": str(tmp_path)}) as relay:
        assert_probe_follows_the_process(relay, tmp_path, "evtest-relay", beats_every=1)


def test_the_worker_beats_from_its_event_loop(tmp_path: Path) -> None:
    fresh_topology()
    with running(worker_command(), env={"TMPDIR": str(tmp_path)}) as worker:
        assert_probe_follows_the_process(worker, tmp_path, "evtest-worker", beats_every=5)


def test_beat_beats_at_every_tick(tmp_path: Path) -> None:
    fresh_topology()
    command = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "evtest_celery",
        "beat",
        "-s",
        str(tmp_path / "schedule"),
        "--pidfile=",
        "-l",
        "WARNING",
    ]
    with running(command, env={"TMPDIR": str(tmp_path)}) as beat:
        assert_probe_follows_the_process(beat, tmp_path, "evtest-beat", beats_every=10)
    fresh_topology()  # beat sent the purge task: leave the queue empty for other tests


def test_an_unwritable_heartbeat_is_logged_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))

    heartbeat.touch("svc-relay")

    assert "heartbeat svc-relay not written" in caplog.text
