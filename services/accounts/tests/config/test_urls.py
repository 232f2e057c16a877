from __future__ import annotations

from django.test import Client


def test_the_openapi_schema_documents_every_endpoint(client: Client) -> None:
    response = client.get(
        "/api/v1/accounts/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )

    assert response.status_code == 200
    assert set(response.json()["paths"]) == {
        "/.well-known/jwks.json",
        "/api/v1/accounts/register/",
        "/api/v1/accounts/me/",
        "/api/v1/accounts/token/",
        "/api/v1/accounts/token/refresh/",
        "/api/v1/accounts/logout/",
        "/api/v1/accounts/logout-all/",
        "/api/v1/accounts/sessions/",
        "/api/v1/accounts/sessions/{session_id}/",
        "/api/v1/accounts/email/verify/",
        "/api/v1/accounts/email/verify/resend/",
        "/api/v1/accounts/password/reset/",
        "/api/v1/accounts/password/reset/confirm/",
        "/api/v1/accounts/password/change/",
        "/api/v1/accounts/users/{user_id}/roles/{role}/",
        "/api/v1/accounts/token/mfa/",
        "/api/v1/accounts/mfa/",
        "/api/v1/accounts/mfa/totp/",
        "/api/v1/accounts/mfa/totp/confirm/",
        "/api/v1/accounts/mfa/disable/",
        "/api/v1/accounts/mfa/recovery-codes/",
        "/api/v1/accounts/me/activity/",
        "/api/v1/accounts/me/profile/",
        "/api/v1/accounts/me/avatar/",
        "/api/v1/accounts/me/export/",
        "/api/v1/accounts/me/delete/",
        "/api/v1/accounts/avatars/{name}",
        "/api/v1/accounts/teams/",
        "/api/v1/accounts/teams/{team_id}/",
        "/api/v1/accounts/teams/{team_id}/members/{user_id}/",
    }


def test_an_unknown_path_is_a_problem_document(client: Client) -> None:
    response = client.get("/api/v1/accounts/nope/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_each_operation_documents_its_own_request_body(client: Client) -> None:
    schema = client.get(
        "/api/v1/accounts/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()

    def request_fields(path: str) -> set[str]:
        body = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        name = body["schema"]["$ref"].rsplit("/", 1)[-1]
        return set(schema["components"]["schemas"][name]["properties"])

    assert request_fields("/api/v1/accounts/register/") == {"email", "password", "display_name"}
    assert request_fields("/api/v1/accounts/token/") == {"email", "password"}
    assert request_fields("/api/v1/accounts/token/refresh/") == {"refresh"}
    assert request_fields("/api/v1/accounts/password/reset/") == {"email"}
    assert request_fields("/api/v1/accounts/password/reset/confirm/") == {"token", "new_password"}
    assert request_fields("/api/v1/accounts/password/change/") == {
        "current_password",
        "new_password",
    }
