"""Every failure is an RFC 9457 problem with a stable code."""

import json
import logging
import uuid
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.testapp.models import Note

PROBLEM = "application/problem+json"


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = json.loads(response.content)
    assert body["code"] == code
    assert body["status"] == status
    assert body["type"] == f"urn:platform:problem:{code}"
    assert body["title"]
    assert body["detail"]
    assert body["request_id"] == response["X-Request-ID"]
    return body


def test_application_error_keeps_its_status_code_and_extra_members(api_client: APIClient) -> None:
    response = api_client.get("/api/errors/application/")

    body = problem(response, 409, "conflict")
    assert body["detail"] == "This article is already published."
    assert body["instance"] == "/api/errors/application/"
    assert body["state"] == "x"


def test_application_error_subclass_answers_its_own_status_and_the_apps_title(
    api_client: APIClient,
) -> None:
    response = api_client.get("/api/errors/app_code/")

    body = problem(response, 409, "name_taken")
    assert body["title"] == "Name already taken"


def test_rate_limited_error_carries_retry_after(api_client: APIClient) -> None:
    response = api_client.get("/api/errors/rate_limited/")

    problem(response, 429, "rate_limited")
    assert response["Retry-After"] == "7"


@pytest.mark.django_db
def test_missing_row_is_a_not_found_problem_with_the_selectors_message(
    api_client: APIClient,
) -> None:
    deleted = Note.objects.create(title="gone")
    deleted.delete()

    for note_id in (uuid.uuid4(), deleted.id):
        body = problem(api_client.get(f"/api/notes/{note_id}/"), 404, "not_found")
        assert body["detail"] == "Note not found."


@pytest.mark.django_db
def test_validation_error_lists_each_field_with_code_and_message(api_client: APIClient) -> None:
    response = api_client.post(
        "/api/notes/", {"title": "x" * 101, "links": [{"url": "ok"}]}, format="json"
    )

    body = problem(response, 400, "validation_error")
    assert sorted(body["errors"], key=lambda error: error["field"]) == [
        {"field": "links.0.url", "code": "invalid", "message": "Enter a valid URL."},
        {
            "field": "title",
            "code": "max_length",
            "message": "Ensure this field has no more than 100 characters.",
        },
    ]


def test_django_validation_error_is_a_validation_problem(api_client: APIClient) -> None:
    response = api_client.get("/api/errors/django_validation/")

    body = problem(response, 400, "validation_error")
    assert body["errors"] == [{"field": "title", "code": "invalid", "message": "Too short."}]


def test_malformed_json_body(api_client: APIClient) -> None:
    response = api_client.post("/api/notes/", "{not json", content_type="application/json")

    problem(response, 400, "malformed_json")


def test_unsupported_media_type(api_client: APIClient) -> None:
    response = api_client.post("/api/notes/", "title=x", content_type="text/plain")

    problem(response, 415, "unsupported_media_type")


def test_method_not_allowed_names_the_allowed_methods(api_client: APIClient) -> None:
    response = api_client.delete("/api/notes/")

    problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_not_authenticated_is_401_with_bearer_challenge(api_client: APIClient) -> None:
    response = api_client.get("/api/whoami/")

    problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="platform"'


def test_http404_from_a_view_does_not_echo_its_message(api_client: APIClient) -> None:
    response = api_client.get("/api/errors/http404/")

    body = problem(response, 404, "not_found")
    assert "Note" not in body["detail"]


def test_django_permission_denied(api_client: APIClient) -> None:
    response = api_client.get("/api/errors/django_permission/")

    problem(response, 403, "permission_denied")


def test_throttled_carries_retry_after_in_whole_seconds(api_client: APIClient) -> None:
    response = api_client.get("/api/errors/throttled/")

    problem(response, 429, "rate_limited")
    assert response["Retry-After"] == "13"


def test_unhandled_exception_is_500_without_internals_and_is_logged(
    api_client: APIClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="platform_common.api.errors"):
        response = api_client.get("/api/errors/unhandled/")

    body = problem(response, 500, "internal_error")
    assert "hunter2" not in response.content.decode()
    assert body["detail"] == "An unexpected error occurred."
    assert [record.exc_info[0] for record in caplog.records if record.exc_info] == [RuntimeError]


def test_unknown_path_gets_a_404_problem(api_client: APIClient) -> None:
    response = api_client.get("/no/such/path/")

    body = problem(response, 404, "not_found")
    assert body["instance"] == "/no/such/path/"


def test_failing_plain_django_view_gets_a_500_problem() -> None:
    client = Client(raise_request_exception=False)

    response = client.get("/plain/fails/")

    problem(response, 500, "internal_error")


def test_declared_body_over_the_limit_is_413_before_the_view_runs(api_client: APIClient) -> None:
    # The view behind /healthz never reads the body; the limit holds anyway.
    response = api_client.generic(
        "POST", "/healthz", "x" * 5000, content_type="application/octet-stream"
    )

    problem(response, 413, "payload_too_large")


def test_body_within_the_limit_reaches_the_view(api_client: APIClient) -> None:
    response = api_client.post("/api/notes/", "{", content_type="application/json")

    problem(response, 400, "malformed_json")


def test_csrf_failure_on_a_form_view_is_a_problem() -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post("/plain/fails/")

    problem(response, 403, "permission_denied")
