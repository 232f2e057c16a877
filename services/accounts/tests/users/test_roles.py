"""Roles: admins grant and revoke them; tokens carry them; a revoked role ends the sessions."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens.models import Session
from accounts.tokens.services import access_token_issue
from accounts.users.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def as_user(client: APIClient, user: User) -> APIClient:
    token = access_token_issue(user=user, now=timezone.now(), session_id=uuid.uuid4())
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def role_url(user: User, role: str) -> str:
    return f"/api/v1/accounts/users/{user.id}/roles/{role}/"


@pytest.fixture
def admin(db: None) -> User:
    admin: User = UserFactory.create(roles=["reader", "admin"])
    return admin


def test_an_admin_grants_a_role_once(api_client: APIClient, admin: User, user: User) -> None:
    client = as_user(api_client, admin)

    first = client.put(role_url(user, "editor"))
    second = client.put(role_url(user, "editor"))

    assert first.status_code == second.status_code == 200
    assert second.json() == {"id": str(user.id), "roles": ["editor", "reader"]}
    assert User.objects.get(pk=user.pk).roles == ["editor", "reader"]


def test_an_admin_revokes_a_role_and_the_users_sessions_end(
    api_client: APIClient, admin: User, user: User
) -> None:
    User.objects.filter(pk=user.pk).update(roles=["reader", "editor"])
    live = Session.objects.create(user=user, expires_at=timezone.now() + timedelta(days=1))

    response = as_user(api_client, admin).delete(role_url(user, "editor"))

    assert response.status_code == 200
    assert response.json()["roles"] == ["reader"]
    live.refresh_from_db()
    assert live.revoked_at is not None


def test_revoking_a_role_not_held_is_404(api_client: APIClient, admin: User, user: User) -> None:
    response = as_user(api_client, admin).delete(role_url(user, "author"))

    assert response.status_code == 404
    assert response.json()["code"] == "role_not_held"


def test_only_admins_grant_roles(api_client: APIClient, user: User) -> None:
    editor: User = UserFactory.create(roles=["reader", "editor"])

    response = as_user(api_client, editor).put(role_url(user, "admin"))

    assert response.status_code == 403
    assert User.objects.get(pk=user.pk).roles == ["reader"]


def test_an_unknown_role_or_user_is_404(api_client: APIClient, admin: User, user: User) -> None:
    client = as_user(api_client, admin)

    assert client.put(role_url(user, "superuser")).status_code == 404
    assert client.put(f"/api/v1/accounts/users/{uuid.uuid4()}/roles/editor/").status_code == 404
