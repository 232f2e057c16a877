"""The generator's modules (dev/observability) are imported by name, as generate.py does."""

from __future__ import annotations

import sys
from pathlib import Path

GENERATOR = Path(__file__).resolve().parents[2] / "dev" / "observability"
if str(GENERATOR) not in sys.path:
    sys.path.insert(0, str(GENERATOR))
