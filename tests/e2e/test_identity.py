"""Identity flows through the gateway: a revoked session's access token is refused within
seconds, and the recovery endpoints answer alike for known and unknown emails."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from gateway_client import API, PASSWORD, assert_problem, register_and_login

pytestmark = pytest.mark.e2e

REVOCATION_DEADLINE_S = 5.0


def log_in(client: httpx.Client, email: str) -> dict[str, str]:
    tokens = client.post(f"{API}/accounts/token/", json={"email": email, "password": PASSWORD})
    assert tokens.status_code == 200, tokens.text
    return {"Authorization": f"Bearer {tokens.json()['access']}"}


def refused_within(client: httpx.Client, headers: dict[str, str], deadline_s: float) -> float:
    """Seconds until ``headers``' token gets 401 at the edge (fails after ``deadline_s``)."""
    started = time.monotonic()
    while True:
        response = client.get(f"{API}/accounts/me/", headers=headers)
        elapsed = time.monotonic() - started
        if response.status_code == 401:
            assert_problem(response, 401, "invalid_token")
            return elapsed
        assert response.status_code == 200, response.text
        assert elapsed < deadline_s, "the revoked session's token still works"
        time.sleep(0.1)


def test_logout_refuses_the_sessions_access_token_at_the_edge(client: httpx.Client) -> None:
    user, this = register_and_login(client, "leaver")
    other = log_in(client, user["email"])

    assert client.post(f"{API}/accounts/logout/", headers=this).status_code == 204

    assert refused_within(client, this, REVOCATION_DEADLINE_S) < REVOCATION_DEADLINE_S
    assert client.get(f"{API}/accounts/me/", headers=other).status_code == 200


def test_revoking_another_session_from_the_list(client: httpx.Client) -> None:
    user, laptop = register_and_login(client, "two-devices")
    phone = log_in(client, user["email"])
    sessions = client.get(f"{API}/accounts/sessions/", headers=laptop).json()["results"]
    [phone_session] = [session for session in sessions if not session["current"]]

    revoked = client.delete(f"{API}/accounts/sessions/{phone_session['id']}/", headers=laptop)

    assert revoked.status_code == 204
    assert refused_within(client, phone, REVOCATION_DEADLINE_S) < REVOCATION_DEADLINE_S
    assert client.get(f"{API}/accounts/me/", headers=laptop).status_code == 200


@pytest.mark.parametrize("path", ["password/reset/", "email/verify/resend/"])
def test_recovery_answers_alike_for_known_and_unknown_emails(
    client: httpx.Client, path: str
) -> None:
    user, _ = register_and_login(client, "forgetful")
    unknown = f"nobody-{uuid.uuid4().hex[:12]}@example.com"

    known_answer = client.post(f"{API}/accounts/{path}", json={"email": user["email"]})
    unknown_answer = client.post(f"{API}/accounts/{path}", json={"email": unknown})

    assert known_answer.status_code == unknown_answer.status_code == 202
    assert known_answer.json() == unknown_answer.json()
