"""Notifications' admin: staff sign in with their accounts identity; no password kept here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import Settings

from platform_common.testing.accounts import PASSWORD, STAFF_EMAIL, STAFF_ID, AccountsTokenEndpoint
from platform_common.testing.http import serving
from platform_common.testing.jwt import MakeToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(make_token: MakeToken, settings: Settings) -> Iterator[AccountsTokenEndpoint]:
    endpoint = AccountsTokenEndpoint(make_token)
    settings.ACCOUNTS_TOKEN_URL = endpoint.url
    with serving(endpoint.server):
        yield endpoint


def test_an_accounts_admin_reaches_the_admin(
    client: Client, accounts: AccountsTokenEndpoint
) -> None:
    response = client.post(
        "/admin/login/?next=/admin/", {"username": STAFF_EMAIL, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    staff = User.objects.get(username=str(STAFF_ID))
    assert staff.is_superuser
    assert not staff.has_usable_password()


def test_a_reader_is_refused(client: Client, accounts: AccountsTokenEndpoint) -> None:
    accounts.roles = ["reader"]

    response = client.post(
        "/admin/login/?next=/admin/", {"username": STAFF_EMAIL, "password": PASSWORD}
    )

    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302
    assert not User.objects.exists()
