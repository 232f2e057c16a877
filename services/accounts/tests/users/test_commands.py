from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from pytest_django import Settings

from accounts.users.models import User
from platform_common.events.models import OutboxMessage
from tests.factories import UserFactory


@pytest.mark.django_db
def test_seed_demo_registers_the_demo_users_once(settings: Settings) -> None:
    settings.DEMO_USER_PASSWORD = "demo secret for tests"

    output = io.StringIO()
    call_command("seed_demo", stdout=output)
    call_command("seed_demo", stdout=output)

    users = User.objects.order_by("email")
    assert [(user.email, user.display_name, user.roles) for user in users] == [
        ("alice@example.com", "Alice", ["author", "reader"]),
        ("bob@example.com", "Bob", ["reader"]),
    ]
    assert all(user.check_password("demo secret for tests") for user in users)
    assert OutboxMessage.objects.filter(event_type="accounts.user.registered").count() == 2
    printed = output.getvalue()
    assert "registered a***@example.com" in printed
    assert "b***@example.com already exists" in printed
    assert "alice@example.com" not in printed
    assert "bob@example.com" not in printed


@pytest.mark.django_db
def test_grant_role_gives_the_user_the_role_and_masks_the_email() -> None:
    user: User = UserFactory.create(email="carol@example.com")
    output = io.StringIO()

    call_command("grant_role", "carol@example.com", "admin", stdout=output)

    user.refresh_from_db()
    assert "admin" in user.roles
    assert output.getvalue().strip() == "c***@example.com now holds admin"


@pytest.mark.django_db
def test_grant_role_refuses_an_unknown_user() -> None:
    with pytest.raises(CommandError, match=r"No user n\*\*\*@example.com"):
        call_command("grant_role", "nobody@example.com", "editor")
