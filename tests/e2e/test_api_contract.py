"""The whole platform honours the OpenAPI document the gateway serves: schemathesis through
the gateway, every check, valid and invalid data, as a normal user (a bounded run)."""

from __future__ import annotations

import httpx
import pytest
from gateway_client import API, register_and_login

from platform_common.testing.contract import run_contract

pytestmark = pytest.mark.e2e

# Examples per operation: enough to reach every documented answer, small enough for make test.
MAX_EXAMPLES = 8
# These end the run's own session (session_revoke too: the stateful phase follows the
# session list to it), after which the edge refuses its token (401) for every later
# operation; the accounts suite runs them in its own contract test.
SESSION_ENDING = ("logout", "logout_all", "session_revoke")


def test_the_platform_honours_its_merged_openapi_document(stack: str) -> None:
    with httpx.Client(base_url=stack, timeout=10.0) as client:
        _, headers = register_and_login(client, "contract")
    token = headers["Authorization"].removeprefix("Bearer ")

    result = run_contract(
        f"{stack}{API}/schema/",
        token=token,
        max_examples=MAX_EXAMPLES,
        extra_args=[f"--exclude-operation-id={operation}" for operation in SESSION_ENDING],
    )

    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-20000:]
    # A run that reached no operation would also exit 0.
    assert "No failures" in report or "passed" in report, report[-5000:]
