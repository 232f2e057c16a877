"""The staff admin: changelists render with search and filters in a bounded number of
queries, bulk actions go through the services, CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.teams.models import Membership, Team
from accounts.tokens.models import Session
from accounts.users.models import User
from tests.factories import UserFactory

USERS = "/admin/users/user/"
TEAMS = "/admin/teams/team/"
MEMBERSHIPS = "/admin/teams/membership/"
# The session, the staff user, then the page: a count that does not grow with the rows.
MAX_CHANGELIST_QUERIES = 8

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    admin: User = UserFactory.create(
        email="root@example.com", roles=["reader", "admin"], is_staff=True
    )
    client.force_login(admin)
    return client


@pytest.fixture
def people(db: None) -> list[User]:
    users: list[User] = UserFactory.create_batch(12)
    team = Team.objects.create(name="Editorial")
    other = Team.objects.create(name="Design")
    for number, user in enumerate(users):
        Membership.objects.create(team=team if number % 2 else other, user=user)
    return users


def action(staff: Client, url: str, name: str, users: list[User]) -> Any:
    return staff.post(url, {"action": name, "_selected_action": [str(user.pk) for user in users]})


@pytest.mark.parametrize("url", [USERS, TEAMS, MEMBERSHIPS], ids=["users", "teams", "memberships"])
def test_each_changelist_renders_in_a_bounded_number_of_queries(
    staff: Client,
    people: list[User],
    url: str,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    with django_assert_max_num_queries(MAX_CHANGELIST_QUERIES):
        response = staff.get(url)

    assert response.status_code == 200


def test_the_user_changelist_searches_by_email(staff: Client, people: list[User]) -> None:
    wanted = people[3]

    response = staff.get(USERS, {"q": wanted.email})

    assert response.status_code == 200
    assert wanted.email in response.content.decode()
    assert people[4].email not in response.content.decode()


def test_the_user_changelist_filters_by_role(staff: Client, people: list[User]) -> None:
    people[0].roles = ["reader", "editor"]
    people[0].save()

    response = staff.get(USERS, {"role": "editor"})

    page = response.content.decode()
    assert people[0].email in page
    assert people[1].email not in page


def test_the_deactivate_action_ends_the_users_sessions(staff: Client, people: list[User]) -> None:
    chosen = people[:2]
    for user in chosen:
        Session.objects.create(user=user, expires_at="2099-01-01T00:00:00Z")

    response = action(staff, USERS, "deactivate", chosen)

    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[u.pk for u in chosen], is_active=True).exists()
    assert not Session.objects.filter(user__in=chosen, revoked_at__isnull=True).exists()
    assert User.objects.get(pk=people[2].pk).is_active


def test_the_verify_action_marks_emails_verified(staff: Client, people: list[User]) -> None:
    action(staff, USERS, "verify_email", people[:3])

    verified = set(
        User.objects.filter(email_verified_at__isnull=False).values_list("pk", flat=True)
    )
    assert verified == {user.pk for user in people[:3]}


def test_the_grant_action_gives_the_role(staff: Client, people: list[User]) -> None:
    action(staff, USERS, "grant_editor", people[:2])

    assert [User.objects.get(pk=user.pk).roles for user in people[:3]] == [
        ["editor", "reader"],
        ["editor", "reader"],
        ["reader"],
    ]


def test_the_csv_export_holds_the_selected_users(staff: Client, people: list[User]) -> None:
    people[0].display_name = "=HYPERLINK(evil)"
    people[0].save()

    response = action(staff, USERS, "export_csv", people[:2])

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["email"] for row in rows} == {people[0].email, people[1].email}
    assert {row["display_name"] for row in rows} >= {"'=HYPERLINK(evil)"}


def test_the_membership_csv_follows_the_relations(staff: Client, people: list[User]) -> None:
    memberships = Membership.objects.filter(user=people[1])

    response = staff.post(
        MEMBERSHIPS,
        {"action": "export_csv", "_selected_action": [str(m.pk) for m in memberships]},
    )

    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert (row["team__name"], row["user__email"], row["role"]) == (
        "Editorial",
        people[1].email,
        "member",
    )


def test_an_editor_on_staff_may_look_but_not_act(client: Client, people: list[User]) -> None:
    editor: User = UserFactory.create(roles=["reader", "editor"], is_staff=True)
    client.force_login(editor)

    listed = client.get(USERS)
    acted = action(client, USERS, "grant_admin", people[:1])

    assert listed.status_code == 200
    assert acted.status_code in {302, 403}
    assert User.objects.get(pk=people[0].pk).roles == ["reader"]


def test_someone_not_on_staff_is_sent_to_the_login(client: Client, user: User) -> None:
    client.force_login(user)

    response = client.get(USERS)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_themes_static_files_are_served_by_the_service(client: Client) -> None:
    response = client.get("/static/unfold/css/styles.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
