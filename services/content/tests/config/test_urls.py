import pytest
from rest_framework.test import APIClient

from tests.problems import assert_problem

pytestmark = pytest.mark.django_db


def test_liveness_is_served_at_the_root(api_client: APIClient) -> None:
    response = api_client.get("/healthz")

    assert response.status_code == 200


def test_openapi_schema_documents_the_content_api(api_client: APIClient) -> None:
    response = api_client.get(
        "/api/v1/content/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )

    assert response.status_code == 200
    assert set(response.json()["paths"]) == {
        "/api/v1/content/articles/",
        "/api/v1/content/articles/{article_id}/",
        "/api/v1/content/articles/by-slug/{slug}/",
        "/api/v1/content/articles/search/",
        "/api/v1/content/articles/autocomplete/",
        "/api/v1/content/articles/{article_id}/submit/",
        "/api/v1/content/articles/{article_id}/reject/",
        "/api/v1/content/articles/{article_id}/publish/",
        "/api/v1/content/articles/{article_id}/archive/",
        "/api/v1/content/articles/{article_id}/revisions/",
        "/api/v1/content/articles/{article_id}/cover/",
        "/api/v1/content/covers/{name}",
        "/api/v1/content/articles/{article_id}/revisions/diff/",
        "/api/v1/content/articles/{article_id}/revisions/{number}/restore/",
        "/api/v1/content/categories/",
        "/api/v1/content/categories/{category_id}/",
        "/api/v1/content/tags/",
        "/api/v1/content/tags/{tag_id}/",
        "/api/v1/content/articles/{article_id}/comments/",
        "/api/v1/content/comments/{comment_id}/",
        "/api/v1/content/comments/moderation/",
        "/api/v1/content/comments/{comment_id}/moderation/",
        "/api/v1/content/articles/{article_id}/reactions/{kind}/",
        "/api/v1/content/articles/{article_id}/bookmark/",
        "/api/v1/content/bookmarks/",
    }


def test_unknown_path_is_a_problem(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/content/nothing-here/")

    assert_problem(response, status=404, code="not_found")
