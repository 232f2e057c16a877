"""The contract between a benchmark and ``make bench``'s table (no Django, stdlib only).

A benchmark is ``bench/<name>/run.py``: it measures our figure and a peer's in the same
run and calls :func:`record` once per row. ``make bench`` runs every such script with
``BENCH_RESULTS`` naming a file, reads the JSON lines back (:func:`load`) and prints and
writes one table. Run by hand without ``BENCH_RESULTS``, a script records nothing. The
scripts' common chores (a free port, waiting for a server they started) are here too.
"""

from __future__ import annotations

import json
import os
import socket
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

RESULTS_ENV = "BENCH_RESULTS"

# What a goal is about: our figure, ours / peer's, or ours - peer's.
Subject = Literal["ours", "ratio", "difference"]
Comparison = Literal[">=", "<="]


@dataclass(frozen=True)
class Goal:
    on: Subject
    op: Comparison
    target: float

    def met(self, *, ours: float, peer: float) -> bool:
        value = {"ours": ours, "ratio": ratio(ours, peer), "difference": ours - peer}[self.on]
        return value >= self.target if self.op == ">=" else value <= self.target

    def describe(self) -> str:
        subject = {"ours": "", "ratio": "ratio ", "difference": "ours - peer "}[self.on]
        return f"{subject}{self.op} {self.target:g}"


@dataclass(frozen=True)
class Row:
    """One measure: our figure beside the peer's from the same run."""

    benchmark: str
    measure: str
    ours: float
    peer: float
    peer_name: str
    goals: tuple[Goal, ...] = field(default=())

    @property
    def ratio(self) -> float:
        return ratio(self.ours, self.peer)

    def met(self) -> bool | None:
        """None when the row states no goal."""
        if not self.goals:
            return None
        return all(goal.met(ours=self.ours, peer=self.peer) for goal in self.goals)


def ratio(ours: float, peer: float) -> float:
    return ours / peer if peer else float("nan")


def record(row: Row) -> None:
    """Append ``row`` to the file ``make bench`` collects, when it asked for one."""
    path = os.environ.get(RESULTS_ENV)
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as results:
        results.write(json.dumps(asdict(row)) + "\n")


def load(path: Path) -> list[Row]:
    """Every row a benchmark recorded in ``path``, in order."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(_row(json.loads(line)))
    return rows


def _row(fields: dict[str, Any]) -> Row:
    goals = tuple(
        Goal(on=goal["on"], op=goal["op"], target=float(goal["target"]))
        for goal in fields.get("goals", ())
    )
    return Row(
        benchmark=str(fields["benchmark"]),
        measure=str(fields["measure"]),
        ours=float(fields["ours"]),
        peer=float(fields["peer"]),
        peer_name=str(fields["peer_name"]),
        goals=goals,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_serving(url: str, *, timeout: float = 15.0) -> None:
    """Until ``url`` answers 2xx; the last error is raised after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - a local http URL
                return
        except (urllib.error.URLError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
