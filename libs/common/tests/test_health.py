import pytest
from django.test import Client
from pytest_django.fixtures import Settings


@pytest.mark.django_db
def test_healthz_is_public_and_ok(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_each_dependency_when_all_reachable(client: Client) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
    }


@pytest.mark.django_db
def test_readyz_is_503_problem_listing_the_unreachable_broker(
    client: Client, settings: Settings
) -> None:
    settings.AMQP_URL = "amqp://guest:guest@127.0.0.1:1//"

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert body["failing"] == ["broker"]
    assert body["checks"]["database"]["status"] == "ok"
    assert "guest" not in response.content.decode()


def test_probes_reject_writes_with_a_problem() -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post("/readyz")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()["code"] == "method_not_allowed"
