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
    }


def test_an_unknown_path_is_a_problem_document(client: Client) -> None:
    response = client.get("/api/v1/accounts/nope/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
