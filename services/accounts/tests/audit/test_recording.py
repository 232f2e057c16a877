"""Each audited flow, through the API, leaves exactly its entries, with address and device."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from rest_framework.test import APIClient

from accounts.audit.models import AuditEntry, AuditEvent
from accounts.mfa.services import totp_enrol
from accounts.users.models import User
from accounts.users.services import user_role_grant
from platform_common.auth.permissions import Role
from tests.factories import PASSWORD, UserFactory
from tests.mfa.helpers import CLIENT, totp_code, wrong_code

TOKEN_URL = "/api/v1/accounts/token/"
AGENT = "Firefox/140"
ADDRESS = "203.0.113.9"

pytestmark = pytest.mark.django_db(transaction=True)  # revocations reach Redis on commit


def log_in(client: APIClient, password: str = PASSWORD, email: str = "carol@example.com") -> Any:
    return client.post(
        TOKEN_URL,
        {"email": email, "password": password},
        format="json",
        HTTP_USER_AGENT=AGENT,
        REMOTE_ADDR=ADDRESS,
    )


def signed_in(client: APIClient) -> APIClient:
    response = log_in(client)
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return client


def events(user: User | None) -> list[str]:
    return list(
        AuditEntry.objects.filter(user=user).order_by("occurred_at").values_list("event", flat=True)
    )


def test_a_sign_in_is_recorded_with_time_address_device_and_session(
    api_client: APIClient, user: User
) -> None:
    log_in(api_client)

    entry = AuditEntry.objects.get()
    assert (entry.event, entry.user_id) == (AuditEvent.LOGIN_SUCCEEDED, user.id)
    assert (entry.ip_address, entry.user_agent) == (ADDRESS, AGENT)
    assert entry.details["mfa"] is False
    assert user.sessions.get().id == uuid.UUID(entry.details["session_id"])


def test_failures_are_recorded_on_the_account_and_unknown_emails_on_none(
    api_client: APIClient, user: User
) -> None:
    log_in(api_client, password="wrong password 1")
    log_in(api_client, email="nobody@example.com")

    assert events(user) == [AuditEvent.LOGIN_FAILED]
    assert events(None) == [AuditEvent.LOGIN_FAILED]
    assert "nobody" not in str(AuditEntry.objects.values_list("details", flat=True)[1])


def test_a_lockout_is_recorded(api_client: APIClient, user: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(api_client, password="wrong password 1")

    refused = log_in(api_client)

    assert refused.status_code == 429
    assert events(user)[-1] == AuditEvent.LOGIN_LOCKED_OUT


def test_revoking_a_session_and_changing_the_password_are_recorded(
    api_client: APIClient, user: User
) -> None:
    other = log_in(APIClient()).json()
    client = signed_in(api_client)
    sessions = client.get("/api/v1/accounts/sessions/").json()["results"]
    other_id = next(session["id"] for session in sessions if not session["current"])

    client.delete(f"/api/v1/accounts/sessions/{other_id}/")
    log_in(APIClient())
    client.post(
        "/api/v1/accounts/password/change/",
        {"current_password": PASSWORD, "new_password": "a whole new passphrase 9"},
        format="json",
        HTTP_USER_AGENT=AGENT,
        REMOTE_ADDR=ADDRESS,
    )

    assert other["access"]
    assert events(user)[-4:] == [
        AuditEvent.SESSION_REVOKED,
        AuditEvent.LOGIN_SUCCEEDED,
        AuditEvent.PASSWORD_CHANGED,
        AuditEvent.SESSIONS_REVOKED,
    ]
    revoked = AuditEntry.objects.get(event=AuditEvent.SESSION_REVOKED)
    assert revoked.details == {"session_id": other_id}
    assert AuditEntry.objects.get(event=AuditEvent.SESSIONS_REVOKED).details == {"count": 1}
    assert AuditEntry.objects.get(event=AuditEvent.PASSWORD_CHANGED).ip_address == ADDRESS


def test_a_role_grant_names_the_admin_who_made_it(api_client: APIClient, user: User) -> None:
    admin: User = UserFactory.create(roles=["admin"])
    response = api_client.post(
        TOKEN_URL, {"email": admin.email, "password": PASSWORD}, format="json"
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")

    api_client.put(f"/api/v1/accounts/users/{user.id}/roles/editor/")

    entry = AuditEntry.objects.get(event=AuditEvent.ROLE_GRANTED)
    assert (entry.user_id, entry.actor_id, entry.details) == (user.id, admin.id, {"role": "editor"})


def test_an_entry_rolls_back_with_its_change(user: User) -> None:
    def grant_then_fail() -> None:
        with transaction.atomic():
            user_role_grant(user_id=user.id, role=Role.EDITOR, actor_id=None, client=CLIENT)
            raise RuntimeError("the change fails after the grant")

    with pytest.raises(RuntimeError):
        grant_then_fail()

    assert not AuditEntry.objects.exists()


def test_mfa_changes_failures_and_recovery_codes_are_recorded(
    api_client: APIClient, user: User
) -> None:
    client = signed_in(api_client)
    totp_enrol(user_id=user.id)
    codes = client.post(
        "/api/v1/accounts/mfa/totp/confirm/", {"code": totp_code(user)}, format="json"
    ).json()["recovery_codes"]
    challenge = log_in(APIClient()).json()["challenge"]
    mfa = "/api/v1/accounts/token/mfa/"

    APIClient().post(mfa, {"challenge": challenge, "code": wrong_code(user)}, format="json")
    # django-otp's back-off after one failure is a second.
    time.sleep(1.1)
    APIClient().post(mfa, {"challenge": challenge, "code": codes[0]}, format="json")
    client.post("/api/v1/accounts/mfa/disable/", {"code": codes[1]}, format="json")

    assert events(user)[1:] == [
        AuditEvent.MFA_ENABLED,
        AuditEvent.MFA_CHALLENGE_FAILED,
        AuditEvent.RECOVERY_CODE_USED,
        AuditEvent.LOGIN_SUCCEEDED,
        AuditEvent.MFA_DISABLED,
    ]
    assert AuditEntry.objects.get(event=AuditEvent.RECOVERY_CODE_USED).details == {"left": 9}
    assert (
        AuditEntry.objects.filter(event=AuditEvent.LOGIN_SUCCEEDED)
        .latest("occurred_at")
        .details["mfa"]
    )
