"""Talking to the running stack through the gateway: the API prefix, users, articles and
problem checks that the end-to-end tests share."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx

# Where the services' REST endpoints live behind the gateway (the API version's prefix).
API = "/api/v1"
PASSWORD = "Correct-Horse-Battery-9"
PROBLEM_JSON = "application/problem+json"
ROOT = Path(__file__).resolve().parents[2]


def register_and_login(
    client: httpx.Client, name: str, *, roles: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, str]]:
    """A fresh user (a reader, plus ``roles`` given with accounts' ``grant_role`` command
    before the login: tokens carry the roles of their login); returns their public record
    and Authorization headers."""
    email = f"{name}-{uuid.uuid4().hex[:12]}@example.com"
    registered = client.post(
        f"{API}/accounts/register/",
        json={"email": email, "password": PASSWORD, "display_name": name.title()},
    )
    assert registered.status_code == 201, registered.text
    user: dict[str, Any] = registered.json()
    assert user["email"] == email
    for role in roles:
        grant_role(email, role)
    return user, login(client, email)


def grant_role(email: str, role: str) -> None:
    """Give an account a role, as an operator does (accounts' ``grant_role`` command)."""
    subprocess.run(
        [ROOT / "dev/bin/manage", "accounts", "grant_role", email, role],
        check=True,
        capture_output=True,
    )


def login(client: httpx.Client, email: str) -> dict[str, str]:
    """Authorization headers of a fresh sign-in (its tokens carry the account's roles)."""
    tokens = client.post(f"{API}/accounts/token/", json={"email": email, "password": PASSWORD})
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["access"]
    assert body["refresh"]
    return {"Authorization": f"Bearer {body['access']}"}


def create_article(client: httpx.Client, headers: dict[str, str], status: str) -> dict[str, Any]:
    """An article of the caller's (an author) in ``status``: ``draft``, or ``published``
    through the workflow (the author submits it, an editor publishes it)."""
    response = client.post(
        f"{API}/content/articles/",
        json={"title": f"A {status} article {uuid.uuid4().hex[:8]}", "body": "Text."},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    article: dict[str, Any] = response.json()
    if status == "published":
        transitions = ((headers, "submit"), (editor_headers(client), "publish"))
        for actor, action in transitions:
            response = client.post(
                f"{API}/content/articles/{article['id']}/{action}/", json={}, headers=actor
            )
            assert response.status_code == 200, response.text
        article = response.json()
    assert article["status"] == status
    return article


def with_role(client: httpx.Client, user: dict[str, Any], role: str) -> dict[str, str]:
    """Give ``user`` (registered by ``register_and_login``) ``role``; returns Authorization
    headers of a fresh sign-in (tokens carry roles)."""
    grant_role(user["email"], role)
    return login(client, user["email"])


_editors: dict[str, dict[str, str]] = {}


def editor_headers(client: httpx.Client) -> dict[str, str]:
    """Authorization headers of an editor of the running stack (registered once)."""
    stack = str(client.base_url)
    if stack not in _editors:
        _editors[stack] = register_and_login(client, "editor", roles=("editor",))[1]
    return _editors[stack]


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM_JSON, response.headers
    problem: dict[str, Any] = response.json()
    assert problem["code"] == code, problem
    assert problem["status"] == status, problem
    return problem


def items(page: Any) -> list[dict[str, Any]]:
    """List bodies come paginated ({"results": [...]}) or bare."""
    return list(page["results"] if isinstance(page, dict) else page)
