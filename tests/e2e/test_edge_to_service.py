"""What only the gateway and a service together get right: links that lead back through the
gateway, writes that arrive whole, and a forwarded address nobody else can forge."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from gateway_client import API, assert_problem, create_article

pytestmark = pytest.mark.e2e

ACCOUNTS_DIRECT = "http://127.0.0.1:8001"


def test_pagination_links_lead_back_through_the_gateway(
    client: httpx.Client, author: dict[str, str], stack: str
) -> None:
    create_article(client, author, "published")
    create_article(client, author, "published")

    page = client.get(f"{API}/content/articles/", params={"page_size": 1})

    assert page.status_code == 200, page.text
    next_link = page.json()["next"]
    assert next_link.startswith(f"{stack}{API}/content/articles/"), next_link
    assert client.get(next_link).status_code == 200


def chunks(body: bytes) -> Iterator[bytes]:
    yield body[:10]
    yield body[10:]


def test_a_chunked_write_reaches_the_service_whole(
    client: httpx.Client, author: dict[str, str]
) -> None:
    article = create_article(client, author, "draft")
    body = b'{"title": "Rewritten in two chunks"}'

    # A generator body goes out with Transfer-Encoding: chunked and no Content-Length.
    patched = client.patch(
        f"{API}/content/articles/{article['id']}/",
        content=chunks(body),
        headers={**author, "Content-Type": "application/json"},
    )

    assert patched.status_code == 200, patched.text
    read_back = client.get(f"{API}/content/articles/{article['id']}/", headers=author)
    assert read_back.json()["title"] == "Rewritten in two chunks"


def test_a_forged_forwarded_address_does_not_dodge_the_lockout(
    client: httpx.Client, reader: tuple[dict[str, object], dict[str, str]]
) -> None:
    # Straight to accounts, a new X-Forwarded-For per attempt: without the gateway's secret
    # the service counts the real peer, so the lockout still comes.
    user, _ = reader
    answers = []
    with httpx.Client(base_url=ACCOUNTS_DIRECT, timeout=10.0) as direct:
        for attempt in range(8):
            answers.append(
                direct.post(
                    f"{API}/accounts/token/",
                    json={"email": user["email"], "password": "wrong-password-0"},
                    headers={"X-Forwarded-For": f"203.0.113.{attempt}"},
                )
            )
    assert answers[0].status_code == 401
    assert_problem(answers[-1], 429, "too_many_attempts")
