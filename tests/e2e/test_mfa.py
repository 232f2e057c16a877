"""Multi-factor login through the gateway: enrol an authenticator, then every login needs
a code from it (or a single-use recovery code) before any token is issued."""

from __future__ import annotations

import base64
import time

import httpx
import pytest
from django_otp.oath import TOTP
from gateway_client import API, PASSWORD, assert_problem, register_and_login

pytestmark = pytest.mark.e2e

STEP_SECONDS = 30


def authenticator_code(secret: str, *, steps_ahead: int = 0) -> str:
    """What the user's authenticator app shows (``steps_ahead``: a later step's code, as a
    code is accepted only once and the service allows one step of clock drift)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key, STEP_SECONDS, 0, 6)
    totp.time = time.time() + steps_ahead * STEP_SECONDS
    return f"{totp.token():06d}"


def log_in(client: httpx.Client, email: str) -> httpx.Response:
    return client.post(f"{API}/accounts/token/", json={"email": email, "password": PASSWORD})


def second_factor(client: httpx.Client, challenge: str, code: str) -> httpx.Response:
    return client.post(f"{API}/accounts/token/mfa/", json={"challenge": challenge, "code": code})


def test_an_mfa_login_needs_a_code_and_a_recovery_code_works_once(client: httpx.Client) -> None:
    user, headers = register_and_login(client, "two-factor")
    enrolment = client.post(f"{API}/accounts/mfa/totp/", headers=headers)
    assert enrolment.status_code == 201, enrolment.text
    secret = enrolment.json()["secret"]
    confirmed = client.post(
        f"{API}/accounts/mfa/totp/confirm/",
        headers=headers,
        json={"code": authenticator_code(secret)},
    )
    assert confirmed.status_code == 200, confirmed.text
    recovery_code = confirmed.json()["recovery_codes"][0]

    password_only = log_in(client, user["email"])
    challenge = password_only.json()["challenge"]
    completed = second_factor(client, challenge, authenticator_code(secret, steps_ahead=1))
    replayed = second_factor(client, challenge, authenticator_code(secret, steps_ahead=1))
    by_recovery = second_factor(
        client, log_in(client, user["email"]).json()["challenge"], recovery_code
    )
    recovery_again = second_factor(
        client, log_in(client, user["email"]).json()["challenge"], recovery_code
    )

    assert password_only.status_code == 202
    assert "access" not in password_only.json()
    assert completed.status_code == 200, completed.text
    me = client.get(
        f"{API}/accounts/me/", headers={"Authorization": f"Bearer {completed.json()['access']}"}
    )
    assert me.json()["id"] == user["id"]
    assert_problem(replayed, 401, "mfa_challenge_invalid")
    assert by_recovery.status_code == 200, by_recovery.text
    assert_problem(recovery_again, 401, "mfa_code_invalid")
    activity = client.get(
        f"{API}/accounts/me/activity/",
        headers={"Authorization": f"Bearer {by_recovery.json()['access']}"},
    ).json()["results"]
    assert {"mfa_enabled", "recovery_code_used", "mfa_challenge_failed"} <= {
        entry["event"] for entry in activity
    }
