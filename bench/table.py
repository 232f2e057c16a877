"""``make bench``: run every ``bench/<name>/run.py``, print one table, keep it in results.md.

Each script records its rows through ``platform_common.testing.bench`` (JSON lines in the
file named by ``BENCH_RESULTS``); see README.md for the contract. The newest run goes on
top of ``bench/results.md``, earlier runs stay below it.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from platform_common.testing.bench import RESULTS_ENV, Row, load

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results.md"
TITLE = "# Benchmark results"
INTRO = (
    "Written by `make bench`, newest run first. Each row is our figure beside a peer's\n"
    "measured on the same machine in the same run; compare ratios across machines, not\n"
    "absolute figures.\n"
)
RUN_HEADING = "\n## "
KEPT_RUNS = 10


def scripts(only: list[str]) -> list[Path]:
    found = sorted(HERE.glob("*/run.py"))
    if only:
        found = [script for script in found if script.parent.name in only]
    return found


def run(script: Path) -> tuple[list[Row], bool]:
    """The rows ``script`` recorded, and whether it finished cleanly."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        results = Path(tmp) / "rows.jsonl"
        results.touch()
        print(f"==> {script.relative_to(ROOT)}", flush=True)
        finished = subprocess.run(
            [sys.executable, str(script)],
            cwd=ROOT,
            env={**os.environ, RESULTS_ENV: str(results)},
            check=False,
        )
        return load(results), finished.returncode == 0


def machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load_average = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
    return f"{model}, {os.cpu_count()} cores (load average before the run {load_average})"


def commit() -> str:
    described = subprocess.run(
        ["git", "describe", "--always", "--dirty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return described.stdout.strip() or "unknown"


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| benchmark | measure | ours | peer | peer's figure | ratio | goal | met |",
        "| --- | --- | ---: | --- | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        met = row.met()
        lines.append(
            f"| {row.benchmark} | {row.measure} | {_figure(row.ours)} | {row.peer_name} "
            f"| {_figure(row.peer)} | {_figure(row.ratio)} "
            f"| {'; '.join(goal.describe() for goal in row.goals) or '-'} "
            f"| {'-' if met is None else 'yes' if met else '**no**'} |"
        )
    return lines


def _figure(value: float) -> str:
    if math.isnan(value):
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def section(rows: list[Row], *, note: str, failed: list[str]) -> str:
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## {started}, commit {commit()}",
        "",
        f"Machine: {machine()}.",
    ]
    if note:
        lines += ["", note]
    lines += ["", *table(rows)]
    if failed:
        lines += ["", f"Failed (no or partial rows): {', '.join(failed)}."]
    return "\n".join(lines) + "\n"


def keep(new_section: str) -> None:
    """Put the new run on top of results.md, the last earlier runs below it."""
    earlier: list[str] = []
    if RESULTS.is_file():
        text = RESULTS.read_text(encoding="utf-8")
        earlier = [part for part in text.split(RUN_HEADING)[1:] if part.strip()]
    runs = [new_section.removeprefix("## "), *earlier][:KEPT_RUNS]
    body = RUN_HEADING.join(["", *(run.rstrip() + "\n" for run in runs)])
    RESULTS.write_text(f"{TITLE}\n\n{INTRO}{body}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="a bench/ folder name")
    parser.add_argument("--note", default="", help="a line written under the run's heading")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    rows: list[Row] = []
    failed: list[str] = []
    for script in scripts(args.only):
        recorded, finished = run(script)
        rows += recorded
        if not finished or not recorded:
            failed.append(script.parent.name)
    new_section = section(rows, note=args.note, failed=failed)
    print("\n" + new_section)
    if not args.no_write:
        keep(new_section)
        print(f"written to {RESULTS.relative_to(ROOT)}")
    if failed:
        sys.exit(f"benchmarks failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
