"""Contract run: schemathesis against a live API and the OpenAPI document it serves.

Every check, data that fits the schema and data that does not, a bounded number of
examples per operation, as a normal user (the bearer token given). No Django: a service's
test starts its live server and calls ``run_contract(...)``; through the gateway it runs
from the command line::

    python -m platform_common.testing.contract http://127.0.0.1:8000/api/v1/schema/ \\
        --token "$ACCESS" [--max-examples 10] [-- <more schemathesis options>]

The exit status is schemathesis': 0 when no check failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

DEFAULT_MAX_EXAMPLES = 10
# The platform's per-operation settings (e.g. the statuses valid-looking input may get
# where the schema cannot say what valid is).
PLATFORM_CONFIG = Path(__file__).with_name("schemathesis.toml")
# Fixed so that a failure found once is found again.
DEFAULT_SEED = 7
REQUEST_TIMEOUT_SECONDS = 10


def contract_command(
    schema_url: str,
    *,
    token: str,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    extra_args: Sequence[str] = (),
    config_file: Path = PLATFORM_CONFIG,
) -> list[str]:
    schemathesis = Path(sys.executable).with_name("schemathesis")
    return [
        str(schemathesis),
        f"--config-file={config_file}",
        "run",
        schema_url,
        "--checks=all",
        "--mode=all",
        f"--max-examples={max_examples}",
        f"--seed={DEFAULT_SEED}",
        "--workers=1",
        f"--request-timeout={REQUEST_TIMEOUT_SECONDS}",
        "--generation-database=none",
        "--no-color",
        f"--header=Authorization: Bearer {token}",
        *extra_args,
    ]


def run_contract(
    schema_url: str,
    *,
    token: str,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    extra_args: Sequence[str] = (),
    config_file: Path = PLATFORM_CONFIG,
    timeout_seconds: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run schemathesis and return its result (``returncode`` 0: no failure; ``stdout``:
    the report, failures with a curl line to reproduce each)."""
    command = contract_command(
        schema_url,
        token=token,
        max_examples=max_examples,
        extra_args=extra_args,
        config_file=config_file,
    )
    # A scratch working directory: schemathesis keeps a crash cache (.schemathesis/) there.
    with tempfile.TemporaryDirectory(prefix="contract-") as workdir:
        return subprocess.run(  # noqa: S603  # our own argv, no shell
            command,
            capture_output=True,
            text=True,
            timeout=timeout_seconds,
            check=False,
            cwd=workdir,
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("schema_url")
    parser.add_argument("--token", required=True, help="a normal user's access token")
    parser.add_argument("--max-examples", type=int, default=DEFAULT_MAX_EXAMPLES)
    parser.add_argument("extra", nargs="*", help="more schemathesis options, after --")
    args = parser.parse_args(argv)
    command = contract_command(
        args.schema_url, token=args.token, max_examples=args.max_examples, extra_args=args.extra
    )
    return subprocess.call(command)  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
