"""The images `make images` built, run for real with podman against the local data plane.

Each web role starts with production settings and answers /healthz and /readyz; the
migration job migrates and declares the event topology; the relay and workers of the
images carry one event from accounts to content and notifications; every image runs as
uid 10001 with no compiler inside and stops cleanly on SIGTERM.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from conftest import DEPLOYABLES, DJANGO_SERVICES, Containers, Roles, free_port, podman
from kombu import Connection, Queue

# Anything that compiles or links: none of it belongs in a runtime image.
BUILD_TOOLS = ("gcc", "cc", "c++", "g++", "clang", "make", "ld", "as", "cpp")
# The accounts registration endpoint, called directly (as the gateway does after TLS).
REGISTER_PATH = "/api/v1/accounts/register/"
# Fixed and unlike any generated email: a random hex password shares most characters with the
# random hex in the email, and Django's similarity check refused it in about one run in ten.
PASSWORD = "Image-Test-Horse-Battery-4"
EVENT_TIMEOUT_SECONDS = 60.0
INSPECT_TOOLS = (Path(__file__).parent / "inspect_tools.py").read_text()


def direct_db(service: str) -> psycopg.Connection[Any]:
    return psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{service}", autocommit=True)


def wait_for_row(service: str, query: str, params: tuple[object, ...]) -> tuple[Any, ...]:
    deadline = time.monotonic() + EVENT_TIMEOUT_SECONDS
    with direct_db(service) as connection:
        while time.monotonic() < deadline:
            row = connection.execute(query, params).fetchone()
            if row is not None:
                return tuple(row)
            time.sleep(0.5)
    pytest.fail(f"no row in {service} after {EVENT_TIMEOUT_SECONDS}s for: {query} {params}")


@pytest.mark.parametrize("deployable", DEPLOYABLES)
def test_image_runs_as_uid_10001_with_no_build_tools(
    deployable: str, images: dict[str, str], containers: Containers
) -> None:
    inspected = podman("image", "inspect", "--format", "{{json .Config}}", images[deployable])
    config = json.loads(inspected.stdout)
    assert config["User"] == "10001:10001"

    result = containers.run(images[deployable], "python", "-c", INSPECT_TOOLS, *BUILD_TOOLS)

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert (seen["uid"], seen["gid"]) == (10001, 10001)
    assert seen["which"] == dict.fromkeys(BUILD_TOOLS)
    assert seen["found"] == []
    assert seen["packages"] == []


@pytest.mark.parametrize("deployable", DEPLOYABLES)
def test_image_carries_oci_labels(deployable: str, images: dict[str, str]) -> None:
    labels = json.loads(
        podman("image", "inspect", "--format", "{{json .Labels}}", images[deployable]).stdout
    )

    assert labels["org.opencontainers.image.title"] == f"platform-{deployable}"
    assert labels["org.opencontainers.image.version"]
    assert len(labels["org.opencontainers.image.revision"]) == 40  # the commit built
    assert labels["org.opencontainers.image.created"].startswith("20")


@pytest.mark.parametrize("deployable", DEPLOYABLES)
def test_web_role_is_healthy_and_ready_with_production_settings(
    deployable: str, web: dict[str, str]
) -> None:
    # `web` waited for /healthz; /readyz also proves the database, broker and caches answer.
    health = httpx.get(f"{web[deployable]}/healthz", timeout=5)
    ready = httpx.get(f"{web[deployable]}/readyz", timeout=10)

    assert health.status_code == 200
    assert ready.status_code == 200, ready.text


def test_accounts_serves_its_jwks_over_plain_http_with_the_production_https_redirect(
    web: dict[str, str],
) -> None:
    # The gateway and the services fetch the keys inside the cluster, over plain HTTP and
    # not through the gateway: redirecting them to HTTPS leaves every token unverifiable.
    response = httpx.get(f"{web['accounts']}/.well-known/jwks.json", timeout=5)

    assert response.status_code == 200, response.headers.get("location")
    assert response.json()["keys"]


@pytest.mark.parametrize("service", DJANGO_SERVICES)
def test_migrate_job_applies_migrations_then_declares_the_event_topology(
    service: str,
    images: dict[str, str],
    containers: Containers,
    production_env: dict[str, dict[str, str]],
) -> None:
    # The job talks to the read-write database itself, never through PgBouncer.
    env = {
        **production_env[service],
        "DATABASE_URL": f"postgres://{service}:{service}@127.0.0.1:5432/{service}",
    }

    result = containers.run(images[service], "migrate", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Operations to perform" in result.stdout
    assert f"declared the topology of {service}" in result.stdout
    plan = containers.run(
        images[service], "python", "manage.py", "showmigrations", "--plan", env=env
    )
    assert plan.returncode == 0, plan.stderr
    assert "[ ]" not in plan.stdout
    if service != "accounts":  # accounts consumes no events: it has no queue
        with Connection("amqp://guest:guest@127.0.0.1:5672//") as broker:
            # Passive: raises if the queue does not exist, declares nothing.
            declared = Queue(f"{service}.events").bind(broker.default_channel)
            declared.queue_declare(passive=True)


def test_relay_and_workers_carry_a_registration_from_accounts_to_content_and_notifications(
    roles: Roles, web: dict[str, str], proxy_secret: str
) -> None:
    relay = roles.start("accounts", "relay", hint="accounts-relay")
    workers = {
        service: roles.start(service, "worker", "--concurrency", "1", hint=f"{service}-worker")
        for service in ("content", "notifications")
    }
    display_name = f"Image Test {uuid.uuid4().hex[:6]}"

    response = httpx.post(
        f"{web['accounts']}{REGISTER_PATH}",
        json={
            "email": f"image-test-{uuid.uuid4().hex}@example.com",
            "password": PASSWORD,
            "display_name": display_name,
        },
        # TLS ends before the gateway; the gateway tells the service, with the shared secret.
        headers={"X-Forwarded-Proto": "https", "X-Gateway-Proxy-Secret": proxy_secret},
        timeout=10,
    )

    assert response.status_code == 201, response.text
    user_id = response.json()["id"]
    event_id, sent_at = wait_for_row(
        "accounts",
        "SELECT event_id, sent_at FROM events_outboxmessage WHERE envelope->>'aggregate_id' = %s"
        " AND event_type = 'accounts.user.registered' AND sent_at IS NOT NULL",
        (user_id,),
    )
    assert sent_at is not None
    (author_name,) = wait_for_row(
        "content", "SELECT display_name FROM authors_author WHERE id = %s", (user_id,)
    )
    assert author_name == display_name
    (kind,) = wait_for_row(
        "notifications", "SELECT kind FROM inbox_notification WHERE user_id = %s", (user_id,)
    )
    assert kind == "welcome"
    for service, name in workers.items():
        wait_for_row(
            service, "SELECT handler FROM events_inboxentry WHERE event_id = %s", (event_id,)
        )
        # This container, not another consumer, handled it.
        logs = roles.containers.logs(name)
        assert f"[{event_id}] handled" in logs, logs[-3000:]
    assert roles.containers.state(relay)["Running"] is True


@pytest.mark.parametrize("deployable", DEPLOYABLES)
def test_web_role_stops_cleanly_and_promptly_on_sigterm(deployable: str, roles: Roles) -> None:
    port = free_port()
    name = roles.start(deployable, "web", hint=f"{deployable}-sigterm", PORT=str(port))
    roles.containers.wait_http_ok(name, f"http://127.0.0.1:{port}/healthz")

    exit_code, seconds = roles.containers.stop(name)

    assert exit_code == 0, roles.containers.logs(name)[-3000:]
    assert seconds < 15


@pytest.mark.parametrize("service", DJANGO_SERVICES)
def test_beat_role_runs_the_scheduler_and_stops_on_sigterm(service: str, roles: Roles) -> None:
    name = roles.start(service, "beat", hint=f"{service}-beat")
    deadline = time.monotonic() + 30
    while "beat: Starting..." not in roles.containers.logs(name) and time.monotonic() < deadline:
        assert roles.containers.state(name)["Running"] is True, roles.containers.logs(name)[-3000:]
        time.sleep(0.5)
    assert "beat: Starting..." in roles.containers.logs(name)

    exit_code, _ = roles.containers.stop(name)

    assert exit_code == 0, roles.containers.logs(name)[-3000:]


def test_gateway_image_refuses_the_roles_only_django_services_have(
    images: dict[str, str], containers: Containers
) -> None:
    result = containers.run(images["gateway"], "worker")

    assert result.returncode != 0
    assert "gateway has only the web role, not 'worker'" in result.stderr
