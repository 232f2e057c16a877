"""Profile flows through the gateway: a changed profile reaches content's author
projection, an avatar (and an article's cover) is uploaded, re-encoded and served, bad
images are refused."""

from __future__ import annotations

import io
import time

import httpx
import pytest
from gateway_client import API, PASSWORD, assert_problem, create_article, register_and_login
from PIL import Image

from platform_common.testing.images import png_bomb

pytestmark = pytest.mark.e2e

PROJECTION_DEADLINE_S = 15.0


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), (0, 128, 255)).save(out, format="PNG")
    return out.getvalue()


def article_author(client: httpx.Client, article_id: str, headers: dict[str, str]) -> str:
    response = client.get(f"{API}/content/articles/{article_id}/", headers=headers)
    assert response.status_code == 200, response.text
    name: str = response.json()["author_display_name"]
    return name


def test_a_profile_update_reaches_the_author_projection_in_content(client: httpx.Client) -> None:
    _, headers = register_and_login(client, "renamer", roles=("author",))
    article = create_article(client, headers, "published")

    updated = client.patch(
        f"{API}/accounts/me/profile/",
        json={"display_name": "Renamed Author", "time_zone": "Europe/Paris"},
        headers=headers,
    )

    assert updated.status_code == 200, updated.text
    started = time.monotonic()
    while article_author(client, article["id"], headers) != "Renamed Author":
        assert time.monotonic() - started < PROJECTION_DEADLINE_S, "content never saw the change"
        time.sleep(0.2)


def test_an_avatar_is_uploaded_and_served_through_the_gateway(client: httpx.Client) -> None:
    _, headers = register_and_login(client, "portrait")

    uploaded = client.put(
        f"{API}/accounts/me/avatar/", files={"avatar": ("me.jpg", png())}, headers=headers
    )

    assert uploaded.status_code == 200, uploaded.text
    url = uploaded.json()["avatar_url"]
    assert url.endswith(".png")
    served = client.get(url)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).size == (40, 40)


def test_a_cover_is_uploaded_and_served_through_the_gateway(client: httpx.Client) -> None:
    _, headers = register_and_login(client, "illustrator", roles=("author",))
    article = create_article(client, headers, "published")
    cover = f"{API}/content/articles/{article['id']}/cover/"

    uploaded = client.put(cover, files={"cover": ("cover.jpg", png())}, headers=headers)
    refused = client.put(cover, files={"cover": ("c.png", png_bomb(20_000))}, headers=headers)

    assert uploaded.status_code == 200, uploaded.text
    url = uploaded.json()["cover_image_url"]
    assert url.endswith(".png")
    assert uploaded.json()["og_image_url"] == url
    served = client.get(url)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(served.content)).size == (40, 40)
    public = client.get(f"{API}/content/articles/{article['id']}/")
    assert public.json()["cover_image_url"] == url
    assert_problem(refused, 400, "image_dimensions_too_large")


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"<html><script>alert(1)</script></html>", 400, "image_invalid"),
        (png_bomb(20_000), 400, "image_dimensions_too_large"),
    ],
    ids=["html-named-png", "bomb"],
)
def test_bad_avatars_are_refused_through_the_gateway(
    client: httpx.Client, content: bytes, status: int, code: str
) -> None:
    _, headers = register_and_login(client, "prankster")

    refused = client.put(
        f"{API}/accounts/me/avatar/", files={"avatar": ("me.png", content)}, headers=headers
    )

    assert_problem(refused, status, code)
    profile = client.get(f"{API}/accounts/me/profile/", headers=headers).json()
    assert profile["avatar_url"] is None


def test_a_deleted_account_leaves_an_anonymous_author_and_cannot_sign_in(
    client: httpx.Client,
) -> None:
    user, headers = register_and_login(client, "leaving", roles=("author",))
    article = create_article(client, headers, "published")
    exported = client.get(f"{API}/accounts/me/export/", headers=headers)
    assert exported.status_code == 200, exported.text
    assert exported.json()["account"]["email"] == user["email"]

    deleted = client.post(
        f"{API}/accounts/me/delete/", json={"password": PASSWORD}, headers=headers
    )

    assert deleted.status_code == 204, deleted.text
    started = time.monotonic()
    while article_author(client, article["id"], {}) != "Deleted user":
        assert time.monotonic() - started < PROJECTION_DEADLINE_S, "content never saw it"
        time.sleep(0.2)
    refused = client.post(
        f"{API}/accounts/token/", json={"email": user["email"], "password": PASSWORD}
    )
    assert refused.status_code == 401
