"""Reading what the stack's processes printed (the harness's log of honcho's output)."""

from __future__ import annotations

import re
from pathlib import Path

# Lines of dev/bin/prepare, written first, marked as honcho marks a process.
PREPARE_PREFIX = "prepare | "
# honcho: "HH:MM:SS name.1 | line"
HONCHO_LINE = re.compile(r"^\d\d:\d\d:\d\d (?P<process>\S+)\s*\| (?P<line>.*)$")


def stack_lines(stack_log: Path) -> list[tuple[str, str]]:
    """(process, line) for every line of the stack's processes, honcho's own left out."""
    lines = []
    for raw in stack_log.read_text(errors="replace").splitlines():
        if raw.startswith(PREPARE_PREFIX):
            lines.append(("prepare", raw.removeprefix(PREPARE_PREFIX)))
            continue
        match = HONCHO_LINE.match(raw)
        assert match is not None, f"not a honcho line: {raw!r}"
        if match["process"] != "system":
            lines.append((match["process"], match["line"]))
    return lines
