"""What tracing costs a service: one endpoint's requests/s with and without it, same run.

content's article list (``GET /api/v1/content/articles/``: authentication, a query, a
JSON page) under gunicorn as ``make up`` runs it, one worker, loaded by the same wrk run
in each mode:

- uninstrumented (the peer): ``OTEL_SDK_DISABLED=true``, no OpenTelemetry at all;
- traced and exported: every span recorded and sent over OTLP/HTTP to a local receiver
  (this script, answering 200), as with a collector in a cluster;
- ids only: the default without an endpoint (ids minted and propagated, nothing recorded).

Every mode runs in turn, for a few rounds, and each keeps its best figure, so a machine
slowing down (or busy with other work) during the run does not flatter either side.
Goal: >= 0.9.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

from platform_common.testing.bench import Goal, Row, free_port, record, wait_until_serving

ROOT = Path(__file__).resolve().parents[2]
ENDPOINT = "/api/v1/content/articles/"
GOAL = 0.9


def gateway_bench() -> ModuleType:
    """bench/gateway/run.py: its wrk and process helpers are this script's too."""
    spec = importlib.util.spec_from_file_location("gateway_bench", ROOT / "bench/gateway/run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


class OtlpReceiver(BaseHTTPRequestHandler):
    """Takes every export and answers 200, as a collector would."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def measure(
    bench: ModuleType, wrk: str, name: str, *, seconds: int, tracing: dict[str, str]
) -> float:
    """Requests/s of the endpoint with content started afresh in this tracing mode."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-observability-") as metrics_dir:
        env = {
            **os.environ,
            "ENV_FILE": str(ROOT / "dev/env/content.env"),
            "PROMETHEUS_MULTIPROC_DIR": metrics_dir,
            "LOG_LEVEL": "WARNING",
            **tracing,
        }
        command = [
            str(ROOT / ".venv/bin/gunicorn"),
            "-c",
            "python:platform_common.observability.gunicorn",
            "content.config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            "1",
            "--threads",
            "4",
            "--chdir",
            str(ROOT / "services/content"),
        ]
        with bench.running(command, env=env):
            wait_until_serving(f"http://127.0.0.1:{port}/healthz", timeout=60)
            result = bench.wrk(
                wrk, name, f"http://127.0.0.1:{port}{ENDPOINT}", seconds=seconds, headers={}
            )
    if result.errors:
        # Timeouts of a saturated single worker: reported, the figure still counts.
        print(f"{name}: {result.errors} requests failed or timed out", flush=True)
    requests_per_second: float = result.requests_per_second
    return requests_per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each mode (best kept)")
    args = parser.parse_args()
    bench = gateway_bench()
    wrk = bench.ensure_installed("wrk", "wrk")
    # Migrated databases and the local infrastructure, as `make up` has them.
    subprocess.run([str(ROOT / "dev/bin/prepare"), "--no-sync"], check=True, capture_output=True)
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), OtlpReceiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{receiver.server_address[1]}"
    modes = {
        "uninstrumented": {"OTEL_SDK_DISABLED": "true"},
        "exported": {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint},
        "ids only": {},
    }
    figures: dict[str, list[float]] = {name: [] for name in modes}
    try:
        # Rounds of every mode in turn: a machine slowing down during the run weighs on
        # every mode alike.
        for _ in range(args.rounds):
            for name, tracing in modes.items():
                figure = measure(bench, wrk, name, seconds=args.seconds, tracing=tracing)
                figures[name].append(figure)
                print(f"{name}: {figure:,.1f} req/s", flush=True)
    finally:
        receiver.shutdown()
    best = {name: max(runs) for name, runs in figures.items()}
    report(
        uninstrumented=best["uninstrumented"], exported=best["exported"], ids_only=best["ids only"]
    )


def report(*, uninstrumented: float, exported: float, ids_only: float) -> None:
    print(f"\nGET {ENDPOINT} (content, gunicorn gthread 1x4), wrk -t2 -c32, {os.cpu_count()} CPUs")
    print(f"{'':36} {'instrumented':>12} {'uninstrumented':>15} {'ratio':>7} {'goal':>7}")
    rows = (("traced + OTLP export (req/s)", exported), ("ids only (req/s)", ids_only))
    for name, figure in rows:
        ratio = figure / uninstrumented
        # make bench's table (nothing is recorded when run by hand).
        record(
            Row(
                benchmark="observability",
                measure=name,
                ours=figure,
                peer=uninstrumented,
                peer_name="uninstrumented",
                goals=(Goal("ratio", ">=", GOAL),),
            )
        )
        print(
            f"{name:36} {figure:>12,.1f} {uninstrumented:>15,.1f} {ratio:>7.2f} "
            f"{'>= ' + str(GOAL):>7}"
        )


if __name__ == "__main__":
    main()
