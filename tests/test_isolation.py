"""Each service's database role can open its own database and no other one.

Checked straight against Postgres (5432) and through PgBouncer (6432), with the dev
credentials (password = role name).
"""

from __future__ import annotations

import itertools

import psycopg
import pytest

pytestmark = pytest.mark.usefixtures("infra")

SERVICES = ("accounts", "content", "notifications")
PORTS = {"postgres": 5432, "pgbouncer": 6432}


def connect(role: str, database: str, port: int) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host="127.0.0.1",
        port=port,
        user=role,
        password=role,
        dbname=database,
        connect_timeout=5,
        autocommit=True,
    )


@pytest.mark.parametrize("via", PORTS)
@pytest.mark.parametrize(
    ("role", "database"),
    list(itertools.permutations(SERVICES, 2)),
)
def test_role_cannot_connect_to_another_service_database(
    role: str, database: str, via: str
) -> None:
    with pytest.raises(psycopg.OperationalError) as excinfo:
        connect(role, database, PORTS[via]).close()
    assert f'permission denied for database "{database}"' in str(excinfo.value)


@pytest.mark.parametrize("via", PORTS)
@pytest.mark.parametrize("service", SERVICES)
def test_role_connects_to_its_own_database(service: str, via: str) -> None:
    with connect(service, service, PORTS[via]) as conn:
        row = conn.execute("select current_user, current_database()").fetchone()
    assert row == (service, service)


@pytest.mark.parametrize("service", SERVICES)
def test_role_can_create_tables_in_its_public_schema(service: str) -> None:
    # Migrations run as the service role, straight to Postgres: it must own "public".
    with (
        connect(service, service, PORTS["postgres"]) as conn,
        conn.transaction(force_rollback=True),
    ):
        conn.execute("create table public.isolation_probe (id int primary key)")
        row = conn.execute("select to_regclass('public.isolation_probe') is not null").fetchone()
    assert row == (True,)


@pytest.mark.parametrize("service", SERVICES)
def test_other_roles_cannot_create_in_a_service_schema(service: str) -> None:
    other = next(s for s in SERVICES if s != service)
    with (
        connect("postgres", service, PORTS["postgres"]) as conn,
        conn.transaction(force_rollback=True),
    ):
        conn.execute(f'set local role "{other}"')
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("create table public.isolation_probe (id int primary key)")
