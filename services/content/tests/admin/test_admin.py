"""Content's admin: staff sign in with their accounts identity (no password kept here),
mapped by role; the author projection is listed, never edited."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import Settings

from content.authors.models import Author
from platform_common.testing.accounts import (
    CHALLENGE,
    PASSWORD,
    STAFF_ID,
    AccountsTokenEndpoint,
)
from platform_common.testing.http import serving
from platform_common.testing.jwt import MakeToken
from tests.factories import AuthorFactory

LOGIN = "/admin/login/?next=/admin/"
AUTHORS = "/admin/authors/author/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(make_token: MakeToken, settings: Settings) -> Iterator[AccountsTokenEndpoint]:
    endpoint = AccountsTokenEndpoint(make_token)
    settings.ACCOUNTS_TOKEN_URL = endpoint.url
    with serving(endpoint.server):
        yield endpoint


def sign_in(client: Client, password: str = PASSWORD, code: str = "") -> Any:
    return client.post(LOGIN, {"username": "staff@example.com", "password": password, "code": code})


def test_an_accounts_admin_signs_in_as_a_local_superuser_without_a_password(
    client: Client, accounts: AccountsTokenEndpoint
) -> None:
    response = sign_in(client)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    staff = User.objects.get(username=str(STAFF_ID))
    assert (staff.email, staff.is_staff, staff.is_superuser) == ("staff@example.com", True, True)
    assert not staff.has_usable_password()
    assert accounts.requests == [{"email": "staff@example.com", "password": PASSWORD}]
    assert client.get(AUTHORS).status_code == 200


def test_an_editor_signs_in_as_staff_who_may_only_look(
    client: Client, accounts: AccountsTokenEndpoint
) -> None:
    accounts.roles = ["reader", "editor"]

    sign_in(client)

    staff = User.objects.get(username=str(STAFF_ID))
    assert (staff.is_staff, staff.is_superuser) == (True, False)
    assert staff.has_perm("authors.view_author")
    assert not staff.has_perm("authors.change_author")
    assert client.get(AUTHORS).status_code == 200


def test_a_demoted_admin_loses_the_superuser_flag_at_the_next_sign_in(
    client: Client, accounts: AccountsTokenEndpoint
) -> None:
    sign_in(client)
    accounts.roles = ["reader", "editor"]

    sign_in(Client())

    assert not User.objects.get(username=str(STAFF_ID)).is_superuser


@pytest.mark.parametrize(
    ("roles", "password"),
    [(["reader", "author"], PASSWORD), (["reader", "admin"], "wrong password")],
    ids=["not-staff", "wrong-password"],
)
def test_others_are_refused_and_get_no_local_user(
    client: Client, accounts: AccountsTokenEndpoint, roles: list[str], password: str
) -> None:
    accounts.roles = roles

    response = sign_in(client, password)

    assert response.status_code == 200
    assert "not staff" in response.content.decode()
    assert not User.objects.exists()
    assert client.get(AUTHORS).status_code == 302


def test_accounts_out_of_reach_is_said_so(client: Client, settings: Settings) -> None:
    settings.ACCOUNTS_TOKEN_URL = "http://127.0.0.1:9/api/v1/accounts/token/"

    response = sign_in(client)

    assert response.status_code == 200
    assert "unavailable" in response.content.decode()
    assert not User.objects.exists()


def test_a_local_password_opens_nothing(client: Client, accounts: AccountsTokenEndpoint) -> None:
    User.objects.create_user(
        username="local", email="staff@example.com", password=PASSWORD, is_staff=True
    )

    response = client.post(LOGIN, {"username": "local", "password": PASSWORD})

    assert response.status_code == 200
    assert client.get(AUTHORS).status_code == 302


def test_the_login_page_asks_for_a_code_beside_the_password(client: Client) -> None:
    page = client.get(LOGIN).content.decode()

    assert 'name="password"' in page
    assert 'name="code"' in page


def test_a_staff_member_with_mfa_signs_in_with_their_code(
    client: Client, accounts: AccountsTokenEndpoint
) -> None:
    accounts.mfa_code = "123456"

    response = sign_in(client, code="123456")

    assert response.status_code == 302
    assert accounts.requests[1] == {"challenge": CHALLENGE, "code": "123456"}
    assert client.get(AUTHORS).status_code == 200


@pytest.mark.parametrize(
    ("code", "said"),
    [("", "type a code too"), ("654321", "code is incorrect")],
    ids=["no-code", "wrong-code"],
)
def test_a_staff_member_with_mfa_gets_nothing_without_the_right_code(
    client: Client, accounts: AccountsTokenEndpoint, code: str, said: str
) -> None:
    accounts.mfa_code = "123456"

    response = sign_in(client, code=code)

    assert response.status_code == 200
    assert said in response.content.decode()
    assert not User.objects.exists()
    assert client.get(AUTHORS).status_code == 302


def test_the_author_changelist_renders_in_a_bounded_number_of_queries(
    client: Client,
    accounts: AccountsTokenEndpoint,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    AuthorFactory.create_batch(15)
    sign_in(client)

    with django_assert_max_num_queries(8):
        response = client.get(AUTHORS, {"q": "a"})

    assert response.status_code == 200
    assert Author.objects.count() == 15
