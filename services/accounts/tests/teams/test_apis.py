"""Teams: admins create them and manage members and team roles; tokens carry the
memberships while they are few."""

from __future__ import annotations

import uuid
from typing import Any

import jwt
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.teams.models import Membership, Team
from accounts.tokens.services import access_token_issue
from accounts.users.models import User
from platform_common.auth.permissions import MAX_TOKEN_TEAMS
from tests.factories import UserFactory

TEAMS_URL = "/api/v1/accounts/teams/"

pytestmark = pytest.mark.django_db


def as_user(user: User) -> APIClient:
    client = APIClient()
    token = access_token_issue(user=user, now=timezone.now(), session_id=uuid.uuid4())
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def member_url(team_id: Any, user: User) -> str:
    return f"{TEAMS_URL}{team_id}/members/{user.id}/"


def claims(user: User) -> dict[str, Any]:
    token = access_token_issue(user=user, now=timezone.now(), session_id=uuid.uuid4())
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


@pytest.fixture
def admin(db: None) -> APIClient:
    return as_user(UserFactory.create(roles=["reader", "admin"]))


def test_an_admin_creates_a_team(admin: APIClient) -> None:
    response = admin.post(TEAMS_URL, {"name": "Editorial"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["members"]) == ("Editorial", [])
    assert Team.objects.get(pk=body["id"]).name == "Editorial"


def test_a_team_name_is_unique_in_any_case(admin: APIClient) -> None:
    admin.post(TEAMS_URL, {"name": "Editorial"}, format="json")

    response = admin.post(TEAMS_URL, {"name": "EDITORIAL"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "team_name_taken"
    assert Team.objects.count() == 1


def test_an_admin_adds_a_member_then_changes_and_removes_their_role(
    admin: APIClient, user: User
) -> None:
    team = Team.objects.create(name="Editorial")

    added = admin.put(member_url(team.id, user), {"role": "member"}, format="json")
    promoted = admin.put(member_url(team.id, user), {"role": "lead"}, format="json")

    assert added.status_code == promoted.status_code == 200
    [member] = promoted.json()["members"]
    assert (member["user_id"], member["role"]) == (str(user.id), "lead")
    assert Membership.objects.get(team=team, user=user).role == "lead"

    removed = admin.delete(member_url(team.id, user))

    assert removed.status_code == 200
    assert removed.json()["members"] == []
    again = admin.delete(member_url(team.id, user))
    assert again.status_code == 404
    assert again.json()["code"] == "not_a_member"


def test_unknown_teams_users_and_roles_are_refused(admin: APIClient, user: User) -> None:
    team = Team.objects.create(name="Editorial")

    assert (
        admin.put(member_url(uuid.uuid4(), user), {"role": "member"}, format="json").status_code
        == 404
    )
    assert (
        admin.put(
            f"{TEAMS_URL}{team.id}/members/{uuid.uuid4()}/", {"role": "member"}, format="json"
        ).status_code
        == 404
    )
    bad_role = admin.put(member_url(team.id, user), {"role": "owner"}, format="json")
    assert bad_role.status_code == 400
    assert not Membership.objects.exists()


def test_only_admins_manage_teams(user: User) -> None:
    reader = as_user(user)
    team = Team.objects.create(name="Editorial")

    assert reader.post(TEAMS_URL, {"name": "Mine"}, format="json").status_code == 403
    assert reader.get(TEAMS_URL).status_code == 403
    assert reader.put(member_url(team.id, user), {"role": "lead"}, format="json").status_code == 403
    assert not Membership.objects.exists()


def test_the_access_token_carries_the_team_memberships(user: User) -> None:
    editorial = Team.objects.create(name="Editorial")
    design = Team.objects.create(name="Design")
    Membership.objects.create(team=editorial, user=user, role="lead")
    Membership.objects.create(team=design, user=user, role="member")

    assert claims(user)["teams"] == {str(editorial.id): "lead", str(design.id): "member"}


def test_a_user_in_too_many_teams_carries_no_team_claim(user: User) -> None:
    for number in range(MAX_TOKEN_TEAMS + 1):
        Membership.objects.create(team=Team.objects.create(name=f"Team {number}"), user=user)

    assert "teams" not in claims(user)


def test_a_user_in_no_team_carries_no_team_claim(user: User) -> None:
    assert "teams" not in claims(user)
