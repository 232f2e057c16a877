"""JWTAuthentication and HasRole in real DRF views, against the shared jwks_server fixture."""

import uuid
from collections.abc import Callable

import pytest
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from platform_common.auth.drf import get_async_verifier, get_verifier
from platform_common.auth.jwt import JWKSClient
from platform_common.testing.fixtures import RevokeSession
from platform_common.testing.jwt import JWKSServer, MakeToken, SigningKey


def bearer(client: APIClient, token: str) -> APIClient:
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_valid_token_makes_the_principal_the_request_user(
    api_client: APIClient, make_token: MakeToken
) -> None:
    user_id = uuid.uuid4()

    response = bearer(api_client, make_token(sub=user_id, roles=["editor"])).get("/api/whoami/")

    assert response.status_code == 200
    assert response.json() == {"id": str(user_id), "roles": ["editor"]}


def test_expired_token_is_401_token_expired_with_rfc6750_challenge(
    api_client: APIClient, make_token: MakeToken
) -> None:
    response = bearer(api_client, make_token(exp_delta=-60)).get("/api/whoami/")

    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert response["WWW-Authenticate"] == 'Bearer realm="platform", error="invalid_token"'


def test_forged_token_is_401_invalid_token(
    api_client: APIClient, make_token: MakeToken, jwks_server: JWKSServer
) -> None:
    token = make_token()
    header, payload, _ = token.split(".")

    response = bearer(api_client, f"{header}.{payload}.AAAA").get("/api/whoami/")

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


@pytest.mark.parametrize(
    ("authorization", "code"),
    [("Bearer two parts", "invalid_token"), ("Basic dXNlcjpwYXNz", "not_authenticated")],
    ids=["malformed-bearer-is-invalid-token", "other-schemes-are-left-to-others"],
)
def test_an_unusable_authorization_header_is_401(
    api_client: APIClient, jwks_server: JWKSServer, authorization: str, code: str
) -> None:
    api_client.credentials(HTTP_AUTHORIZATION=authorization)

    response = api_client.get("/api/whoami/")

    assert response.status_code == 401
    assert response.json()["code"] == code


def test_unreachable_jwks_is_503_not_401(
    api_client: APIClient, make_token: MakeToken, settings: Settings
) -> None:
    token = make_token()
    settings.JWKS_URL = "http://127.0.0.1:9/.well-known/jwks.json"

    response = bearer(api_client, token).get("/api/whoami/")

    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"


def test_role_permission_admits_holders_of_any_listed_role(
    authed_client: Callable[..., APIClient],
) -> None:
    response = authed_client(roles=["admin"]).get("/api/editors-only/")

    assert response.status_code == 200


def test_role_permission_refuses_others_with_permission_denied(
    authed_client: Callable[..., APIClient],
) -> None:
    response = authed_client(roles=["reader"]).get("/api/editors-only/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_verifier_is_rebuilt_when_its_settings_change(
    jwks_server: JWKSServer, settings: Settings
) -> None:
    before = get_verifier()

    settings.JWT_AUDIENCE = "another-audience"

    assert get_verifier() is not before
    assert get_verifier().audience == "another-audience"


class LocalKeys:
    """A key provider reading keys in-process, as the accounts service does."""

    key: SigningKey

    def get_key(self, kid: str) -> object:
        return self.key.private_key.public_key() if kid == self.key.kid else None


def test_key_provider_setting_replaces_the_jwks_client(
    api_client: APIClient,
    make_token: MakeToken,
    jwt_signing_key: SigningKey,
    jwks_server: JWKSServer,
    settings: Settings,
) -> None:
    LocalKeys.key = jwt_signing_key
    settings.JWT_KEY_PROVIDER = f"{__name__}.LocalKeys"

    response = bearer(api_client, make_token()).get("/api/whoami/")

    assert response.status_code == 200
    assert not isinstance(get_verifier().keys, JWKSClient)
    assert jwks_server.request_count == 0


async def test_async_verifier_follows_the_same_settings(
    make_token: MakeToken, jwks_server: JWKSServer
) -> None:
    user_id = uuid.uuid4()

    principal = await get_async_verifier().verify(make_token(sub=user_id))

    assert principal.id == user_id
    assert jwks_server.request_count == 1


def test_optional_principal_is_the_caller_or_none(
    api_client: APIClient, authed_client: Callable[..., APIClient]
) -> None:
    user_id = uuid.uuid4()

    anonymous = api_client.get("/api/caller/")
    signed_in = authed_client(user_id).get("/api/caller/")

    assert anonymous.json() == {"id": None}
    assert signed_in.json() == {"id": str(user_id)}


def test_a_revoked_sessions_token_is_401_and_other_sessions_pass(
    api_client: APIClient, make_token: MakeToken, revoke_session: RevokeSession
) -> None:
    user_id, revoked, live = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    revoke_session(user_id, revoked)

    refused = bearer(APIClient(), make_token(sub=user_id, sid=str(revoked))).get("/api/whoami/")
    passed = bearer(api_client, make_token(sub=user_id, sid=str(live))).get("/api/whoami/")

    assert refused.status_code == 401
    assert refused.json()["code"] == "invalid_token"
    assert passed.status_code == 200


def test_the_revocation_check_fails_open_when_redis_is_down(
    api_client: APIClient, make_token: MakeToken, settings: Settings
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "platform_common.cache.RedisClusterCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "KEY_PREFIX": "test",
        }
    }

    response = bearer(api_client, make_token(sid=str(uuid.uuid4()))).get("/api/whoami/")

    assert response.status_code == 200
