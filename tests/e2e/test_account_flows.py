"""The account flows end to end through the gateway, each mail read from the SMTP sink:
email verification, password reset, password change (the other sessions end, the owner
is mailed a security alert), and an admin's roles and teams riding in the next token."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from gateway_client import API, PASSWORD, assert_problem, register_and_login, with_role
from mail_sink import link_token, mail_to
from test_identity import REVOCATION_DEADLINE_S, log_in, refused_within

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Another-Horse-Battery-7"


def maildir(repo_root: Path) -> Path:
    return repo_root / ".local" / "mail"


def claims(headers: dict[str, str]) -> dict[str, Any]:
    payload = headers["Authorization"].split()[1].split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=="))
    return decoded


def test_the_mailed_verification_link_verifies_the_email(
    client: httpx.Client, repo_root: Path
) -> None:
    user, headers = register_and_login(client, "verifying")
    mail = mail_to(maildir(repo_root), user["email"], containing="/verify-email#token=")

    verified = client.post(
        f"{API}/accounts/email/verify/", json={"token": link_token(mail, "/verify-email")}
    )
    again = client.post(
        f"{API}/accounts/email/verify/", json={"token": link_token(mail, "/verify-email")}
    )

    assert verified.status_code == 204, verified.text
    assert client.get(f"{API}/accounts/me/", headers=headers).json()["email_verified"] is True
    assert_problem(again, 404, "account_token_invalid")  # single use


def test_a_mailed_reset_link_sets_a_new_password_and_ends_every_session(
    client: httpx.Client, repo_root: Path
) -> None:
    user, headers = register_and_login(client, "forgetful")

    requested = client.post(f"{API}/accounts/password/reset/", json={"email": user["email"]})
    mail = mail_to(maildir(repo_root), user["email"], containing="/reset-password#token=")
    confirmed = client.post(
        f"{API}/accounts/password/reset/confirm/",
        json={"token": link_token(mail, "/reset-password"), "new_password": NEW_PASSWORD},
    )

    assert requested.status_code == 202, requested.text
    assert confirmed.status_code == 204, confirmed.text
    refused_within(client, headers, REVOCATION_DEADLINE_S)
    old = client.post(f"{API}/accounts/token/", json={"email": user["email"], "password": PASSWORD})
    assert_problem(old, 401, "invalid_credentials")
    new = client.post(
        f"{API}/accounts/token/", json={"email": user["email"], "password": NEW_PASSWORD}
    )
    assert new.status_code == 200, new.text


def test_changing_the_password_keeps_this_session_ends_the_others_and_mails_an_alert(
    client: httpx.Client, repo_root: Path
) -> None:
    user, this_session = register_and_login(client, "careful")
    other_session = log_in(client, user["email"])

    changed = client.post(
        f"{API}/accounts/password/change/",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=this_session,
    )

    assert changed.status_code == 204, changed.text
    refused_within(client, other_session, REVOCATION_DEADLINE_S)
    assert client.get(f"{API}/accounts/me/", headers=this_session).status_code == 200
    # The owner is told, by mail (accounts' security alert through notifications).
    alert = mail_to(maildir(repo_root), user["email"], containing="Your password was changed")
    assert alert["Subject"] == "Security notice: Your password was changed"


def test_an_admins_role_grant_and_team_reach_the_members_next_token(
    client: httpx.Client,
) -> None:
    admin, _ = register_and_login(client, "admin")
    admin_headers = with_role(client, admin, "admin")
    member, _ = register_and_login(client, "member")

    granted = client.put(
        f"{API}/accounts/users/{member['id']}/roles/editor/", headers=admin_headers
    )
    # Team names are unique and the stack's database outlives a run.
    name = f"Desk {uuid.uuid4().hex[:8]}"
    team = client.post(f"{API}/accounts/teams/", json={"name": name}, headers=admin_headers)
    assert team.status_code == 201, team.text
    joined = client.put(
        f"{API}/accounts/teams/{team.json()['id']}/members/{member['id']}/",
        json={"role": "lead"},
        headers=admin_headers,
    )
    refused = client.post(
        f"{API}/accounts/teams/", json={"name": "Mine"}, headers=log_in(client, member["email"])
    )

    assert granted.status_code in (200, 204), granted.text
    assert joined.status_code == 200, joined.text
    token = claims(log_in(client, member["email"]))
    assert "editor" in token["roles"]
    assert token["teams"] == {team.json()["id"]: "lead"}
    assert_problem(refused, 403, "permission_denied")
