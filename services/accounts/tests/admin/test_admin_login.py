"""Signing in to accounts' admin: staff with MFA need their second factor there too, or the
admin would be a way around it."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.audit.models import AuditEntry, AuditEvent
from accounts.mfa.services import totp_confirm, totp_enrol
from accounts.users.models import User
from tests.factories import PASSWORD, UserFactory
from tests.mfa.helpers import CLIENT, totp_code, wrong_code

LOGIN = "/admin/login/?next=/admin/"
USERS = "/admin/users/user/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db: None) -> User:
    staff: User = UserFactory.create(
        email="root@example.com", roles=["reader", "admin"], is_staff=True
    )
    return staff


def with_mfa(user: User) -> None:
    totp_enrol(user_id=user.id)
    totp_confirm(user_id=user.id, client=CLIENT, code=totp_code(user))


def sign_in(client: Client, code: str = "") -> str:
    response = client.post(
        LOGIN, {"username": "root@example.com", "password": PASSWORD, "code": code}
    )
    return response.content.decode() if response.status_code == 200 else response["Location"]


def test_the_login_page_asks_for_a_code_beside_the_password(client: Client) -> None:
    page = client.get(LOGIN).content.decode()

    assert 'name="password"' in page
    assert 'name="code"' in page


def test_staff_without_mfa_sign_in_with_their_password(client: Client, staff: User) -> None:
    assert sign_in(client) == "/admin/"
    assert client.get(USERS).status_code == 200


def test_staff_with_mfa_sign_in_with_a_code_from_their_authenticator(
    client: Client, staff: User
) -> None:
    with_mfa(staff)

    assert sign_in(client, code=totp_code(staff, steps_ahead=1)) == "/admin/"
    assert client.get(USERS).status_code == 200


def test_the_password_alone_does_not_open_the_admin_of_staff_with_mfa(
    client: Client, staff: User
) -> None:
    with_mfa(staff)

    page = sign_in(client)

    assert "type a code too" in page
    assert client.get(USERS).status_code == 302


def test_a_wrong_code_is_refused_and_audited(client: Client, staff: User) -> None:
    with_mfa(staff)

    page = sign_in(client, code=wrong_code(staff))

    assert "code is incorrect" in page
    assert client.get(USERS).status_code == 302
    assert AuditEntry.objects.filter(
        user_id=staff.id, event=AuditEvent.MFA_CHALLENGE_FAILED
    ).exists()
