"""Object-level permission helpers: owner-or-role and team membership, read from the
verified token's claims."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from platform_common.auth.jwt import Principal
from platform_common.auth.permissions import (
    OwnerOrRole,
    Role,
    is_team_member,
    owner_or_role,
    principal_teams,
)

OWNER = uuid.uuid4()
TEAM = uuid.uuid4()


def principal(
    user_id: uuid.UUID | None = None, *, roles: tuple[str, ...] = (), teams: object = None
) -> Principal:
    claims = {} if teams is None else {"teams": teams}
    return Principal(id=user_id or uuid.uuid4(), roles=frozenset(roles), claims=claims)


@pytest.mark.parametrize(
    ("caller", "allowed"),
    [
        (principal(OWNER), True),
        (principal(roles=("editor",)), True),
        (principal(roles=("reader", "author")), False),
        (None, False),
    ],
    ids=["owner", "role-holder", "someone-else", "anonymous"],
)
def test_owner_or_role_admits_the_owner_and_the_role_holders(
    caller: Principal | None, allowed: bool
) -> None:
    assert owner_or_role(caller, owner_id=OWNER, roles=[Role.EDITOR, Role.ADMIN]) is allowed


def test_owner_or_role_compares_ids_whatever_their_type() -> None:
    assert owner_or_role(principal(OWNER), owner_id=str(OWNER), roles=())


@pytest.mark.parametrize(
    ("caller", "allowed"),
    [
        (principal(OWNER), True),
        (principal(roles=("admin",)), True),
        (principal(), False),
    ],
    ids=["owner", "admin", "someone-else"],
)
def test_owner_or_role_permission_decides_on_the_object(caller: Principal, allowed: bool) -> None:
    request = Request(APIRequestFactory().get("/"))
    request.user = caller  # type: ignore[assignment]
    permission = OwnerOrRole.of("author_id", Role.ADMIN)()

    decided = permission.has_object_permission(request, APIView(), SimpleNamespace(author_id=OWNER))

    assert decided is allowed


def test_team_membership_is_read_from_the_token() -> None:
    caller = principal(teams={str(TEAM): "lead"})

    assert principal_teams(caller) == {str(TEAM): "lead"}
    assert is_team_member(caller, TEAM)
    assert is_team_member(caller, str(TEAM), roles=["lead"])
    assert not is_team_member(caller, TEAM, roles=["member"])
    assert not is_team_member(caller, uuid.uuid4())


@pytest.mark.parametrize(
    "teams", [None, ["not", "a", "map"], {str(TEAM): 7}], ids=["absent", "a-list", "bad-role"]
)
def test_a_missing_or_malformed_teams_claim_admits_no_one(teams: object) -> None:
    assert not is_team_member(principal(teams=teams), TEAM)


def test_an_anonymous_caller_is_in_no_team() -> None:
    assert not is_team_member(None, TEAM)
