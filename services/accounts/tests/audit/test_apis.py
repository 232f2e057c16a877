from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.sites import AdminSite
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.audit.admin import AuditEntryAdmin
from accounts.audit.models import AuditEntry, AuditEvent
from accounts.audit.services import audit_record
from accounts.users.models import User
from tests.factories import PASSWORD, UserFactory
from tests.mfa.helpers import CLIENT

pytestmark = pytest.mark.django_db

ACTIVITY_URL = "/api/v1/accounts/me/activity/"


def test_my_activity_lists_only_my_entries_newest_first(api_client: APIClient, user: User) -> None:
    stranger: User = UserFactory.create()
    audit_record(event=AuditEvent.LOGIN_FAILED, user_id=stranger.id, client=CLIENT)
    old = audit_record(event=AuditEvent.PASSWORD_CHANGED, user_id=user.id, client=CLIENT)
    AuditEntry.objects.filter(id=old.id).update(occurred_at=timezone.now() - timedelta(days=1))
    tokens = api_client.post(
        "/api/v1/accounts/token/",
        {"email": user.email, "password": PASSWORD},
        format="json",
    ).json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    response = api_client.get(ACTIVITY_URL)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [entry["event"] for entry in results] == ["login_succeeded", "password_changed"]
    assert results[1]["ip_address"] == CLIENT.ip_address
    assert results[1]["user_agent"] == CLIENT.user_agent
    assert set(results[0]) == {"id", "event", "occurred_at", "ip_address", "user_agent", "details"}


def test_my_activity_needs_a_token(api_client: APIClient) -> None:
    response = api_client.get(ACTIVITY_URL)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


class StaffUser:
    """The admin's staff identity (the accounts admin login is wired elsewhere)."""

    is_active = is_staff = is_authenticated = True

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return True


def changelist(query: str = "") -> list[AuditEntry]:
    model_admin = AuditEntryAdmin(AuditEntry, AdminSite())
    request = RequestFactory().get("/admin/audit/auditentry/", {"q": query} if query else {})
    request.user = StaffUser()  # type: ignore[assignment]
    return list(model_admin.get_changelist_instance(request).result_list)


def test_the_admin_changelist_searches_and_loads_users_in_one_query(user: User) -> None:
    admin: User = UserFactory.create(email="admin@example.com")
    for _ in range(5):
        audit_record(
            event=AuditEvent.ROLE_GRANTED, user_id=user.id, actor_id=admin.id, client=CLIENT
        )
    audit_record(event=AuditEvent.LOGIN_FAILED, user_id=None, client=CLIENT)

    with CaptureQueriesContext(connection) as queries:
        rows = changelist()
        emails = [(row.user.email if row.user else None, row.actor) for row in rows]

    assert len(emails) == 6
    # The page and its filters' choices; users come joined, not one query per row.
    assert len(queries) <= 3
    assert len(changelist("carol@example")) == 5
    assert len(changelist(CLIENT.ip_address or "")) == 6


def test_the_admin_is_read_only() -> None:
    model_admin = AuditEntryAdmin(AuditEntry, AdminSite())
    request = RequestFactory().get("/")

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.list_select_related == ("user", "actor")
