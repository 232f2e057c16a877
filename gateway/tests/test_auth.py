from __future__ import annotations

import httpx
import pytest

from platform_common.testing.jwt import JWKSServer, SigningKey, sign_token
from tests.conftest import MakeToken, StartGateway, upstream_headers_of
from tests.servers import closed_port


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/accounts/register/"),
        ("POST", "/api/v1/accounts/token/"),
        ("POST", "/api/v1/accounts/token/refresh/"),
        ("GET", "/.well-known/jwks.json"),
        ("GET", "/api/v1/content/articles/"),
        ("GET", "/api/v1/content/articles/3f1c2b7e/"),
        ("HEAD", "/api/v1/content/articles/"),
        ("GET", "/api/v1/content/categories/"),
        ("GET", "/api/v1/content/articles/by-slug/hello-world/"),
        ("GET", "/api/v1/content/tags/5b1d2c3e/"),
        ("GET", "/api/v1/accounts/schema/"),
        ("GET", "/api/v1/notifications/schema/"),
        ("GET", "/api/v1/accounts/avatars/0123456789abcdef0123456789abcdef.png"),
        ("GET", "/api/v1/content/covers/0123456789abcdef0123456789abcdef.webp"),
    ],
)
async def test_public_routes_need_no_token(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path)

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/accounts/me/"),
        ("POST", "/api/v1/content/articles/"),
        ("POST", "/api/v1/content/tags/"),
        ("GET", "/api/v1/content/articles/3f1c2b7e/comments/"),
        ("GET", "/api/v1/notifications/inbox/"),
        ("DELETE", "/api/v1/accounts/token/"),
        ("GET", "/api/v1/accounts/avatars/../me/"),
        ("PUT", "/api/v1/accounts/avatars/0123456789abcdef0123456789abcdef.png"),
        ("GET", "/api/v1/content/covers/../articles/x/cover/"),
        ("PUT", "/api/v1/content/articles/3f1c2b7e/cover/"),
    ],
)
async def test_other_routes_need_a_token(client: httpx.AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, path)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.headers["www-authenticate"] == 'Bearer realm="platform"'


async def test_valid_token_reaches_the_upstream_with_its_header(
    client: httpx.AsyncClient, make_token: MakeToken
) -> None:
    token = make_token(roles=["editor"])

    response = await client.get(
        "/api/v1/accounts/me/", headers={"authorization": f"Bearer {token}"}
    )

    assert response.status_code == 200
    assert upstream_headers_of(response)["authorization"] == [f"Bearer {token}"]


@pytest.mark.parametrize("public", [True, False])
async def test_expired_token_is_401_token_expired_even_on_public_routes(
    client: httpx.AsyncClient, make_token: MakeToken, public: bool
) -> None:
    path = "/api/v1/content/articles/" if public else "/api/v1/accounts/me/"

    response = await client.get(
        path, headers={"authorization": f"Bearer {make_token(exp_delta=-60)}"}
    )

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "token_expired"
    assert response.headers["www-authenticate"].startswith(
        'Bearer realm="platform", error="invalid_token"'
    )


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer not-a-jwt",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer \u00e9t\u00e9",
    ],
)
async def test_malformed_credentials_are_401_invalid_token_on_public_routes(
    client: httpx.AsyncClient, authorization: str
) -> None:
    response = await client.get(
        "/api/v1/content/articles/", headers={b"authorization": authorization.encode("latin-1")}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


async def test_token_signed_by_an_unknown_key_is_rejected(client: httpx.AsyncClient) -> None:
    stranger = SigningKey.generate()
    token = sign_token(stranger, issuer="http://accounts.test", audience="platform")

    response = await client.get(
        "/api/v1/accounts/me/", headers={"authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


async def test_token_for_another_audience_is_rejected(
    client: httpx.AsyncClient, signing_key: SigningKey
) -> None:
    token = sign_token(signing_key, issuer="http://accounts.test", audience="elsewhere")

    response = await client.get(
        "/api/v1/accounts/me/", headers={"authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


async def test_a_rotated_key_is_fetched_on_its_first_token(
    start_gateway: StartGateway, signing_key: SigningKey
) -> None:
    rotated = SigningKey.generate()
    jwks = JWKSServer([signing_key]).start()
    try:
        gateway = start_gateway(jwks_url=jwks.url, jwks_min_refetch_seconds=0)
        async with gateway as url, httpx.AsyncClient(base_url=url) as client:
            before = await client.get("/api/v1/accounts/me/", headers=bearer(signing_key))
            jwks.reset([signing_key, rotated])
            after = await client.get("/api/v1/accounts/me/", headers=bearer(rotated))
    finally:
        jwks.stop()

    assert before.status_code == 200
    assert after.status_code == 200
    assert jwks.request_count == 1  # reset() zeroed it: one refetch for the unknown kid


async def test_unreachable_keys_are_a_retryable_503_not_a_401(
    start_gateway: StartGateway, signing_key: SigningKey
) -> None:
    gateway = start_gateway(jwks_url=f"http://127.0.0.1:{closed_port()}/.well-known/jwks.json")
    async with gateway as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/api/v1/accounts/me/", headers=bearer(signing_key))

    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert response.headers["retry-after"] == "5"


def bearer(key: SigningKey) -> dict[str, str]:
    token = sign_token(key, issuer="http://accounts.test", audience="platform")
    return {"authorization": f"Bearer {token}"}
