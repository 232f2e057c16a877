"""Liveness heartbeats of the processes that have no HTTP port (relay, Celery worker, beat).

The process touches ``<tmp>/<name>.heartbeat`` from its main loop; the pod's exec probe,
``python -m platform_common.heartbeat <name> <max-age-seconds>``, fails once the file is
older than that. A wedged loop (a blocked event loop, a hung database call) stops the
touches, so the kubelet restarts the process; a probe that only checks the process
exists could not tell. Files live in the temporary directory (``TMPDIR``; a pod's
writable ``/tmp`` emptyDir), never in the read-only root filesystem.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

logger = logging.getLogger(__name__)


def heartbeat_path(name: str) -> Path:
    return Path(tempfile.gettempdir()) / f"{name}.heartbeat"


def touch(name: str) -> None:
    """Record that the process named ``name`` is making progress now.

    A heartbeat that cannot be written must not stop the work: the probe then fails and
    says why, and this logs it.
    """
    try:
        heartbeat_path(name).touch()
    except OSError as error:
        logger.warning("heartbeat %s not written: %s", name, error)


def age_seconds(name: str) -> float | None:
    """Seconds since the last touch, or None when there never was one."""
    try:
        modified = heartbeat_path(name).stat().st_mtime
    except FileNotFoundError:
        return None
    return max(0.0, time.time() - modified)


def main(argv: list[str] | None = None) -> int:
    """The exec probe: 0 when ``name`` was touched within ``max_age`` seconds, else 1."""
    parser = argparse.ArgumentParser(prog="python -m platform_common.heartbeat")
    parser.add_argument("name")
    parser.add_argument("max_age", type=float, help="seconds")
    args = parser.parse_args(argv)
    age = age_seconds(args.name)
    if age is None:
        print(f"no heartbeat at {heartbeat_path(args.name)}", file=sys.stderr)
        return 1
    if age > args.max_age:
        print(
            f"heartbeat of {args.name} is {age:.0f}s old (limit {args.max_age:.0f}s)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
