"""The error vocabulary: one enum of stable codes, each with its title."""

from platform_common.problems import ProblemCode, TitledCode, problem_body, problem_title


class ArticleCode(TitledCode):
    SLUG_TAKEN = "slug_taken", "Slug already taken"


def test_every_code_the_gateway_and_library_send_has_a_title() -> None:
    sent = {
        "bad_request", "validation_error", "malformed_json", "unknown_field",
        "not_authenticated", "invalid_token", "token_expired", "permission_denied",
        "not_found", "method_not_allowed", "not_acceptable", "unsupported_media_type",
        "payload_too_large", "rate_limited", "conflict", "internal_error",
        "service_unavailable", "bad_gateway", "upstream_timeout", "upstream_unavailable",
        "upstream_refused", "upstream_busy", "request_timeout", "uri_too_long",
        "request_header_fields_too_large", "too_many_connections", "idempotency_in_progress",
        "idempotency_key_mismatch", "idempotency_key_invalid",
    }  # fmt: skip

    assert {code.value for code in ProblemCode} == sent
    assert all(code.problem_title for code in ProblemCode)


def test_a_problem_document_takes_its_title_from_the_code() -> None:
    body = problem_body(
        status=404, code=ProblemCode.NOT_FOUND, detail="x", instance="/a", request_id="r"
    )

    assert (body["code"], body["title"], body["type"]) == (
        "not_found",
        "Not found",
        "urn:platform:problem:not_found",
    )
    assert type(body["code"]) is str


def test_an_apps_own_code_carries_its_own_title() -> None:
    assert problem_title(ArticleCode.SLUG_TAKEN) == "Slug already taken"
    assert problem_title("not_found") == "Not found"
    assert problem_title("some_new_code") == "Some new code"
