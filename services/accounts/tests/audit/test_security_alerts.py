"""Security alerts: each security change tells its owner (accounts.user.security_alert in
the outbox, with the audit entry), once, with the client's address and device; nothing
else does, and a change that rolls back publishes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.mfa.services import totp_enrol
from accounts.users.models import User
from accounts.users.services import password_reset_request, user_role_revoke
from platform_common.auth.permissions import Role
from platform_common.events.contracts import validate_data
from platform_common.events.models import OutboxMessage
from tests.factories import PASSWORD
from tests.mfa.helpers import CLIENT, totp_code

from .test_recording import ADDRESS, AGENT, log_in, signed_in

ALERT = "accounts.user.security_alert"
NEW_PASSWORD = "a whole new passphrase 9"

pytestmark = pytest.mark.django_db(transaction=True)  # revocations reach Redis on commit


def alerts() -> list[dict[str, Any]]:
    """The data of every alert in the outbox, oldest first; each valid under its contract."""
    published = [
        message.envelope["data"]
        for message in OutboxMessage.objects.filter(event_type=ALERT).order_by("created_at")
    ]
    for data in published:
        validate_data(event_type=ALERT, version=1, data=data)
    return published


def kinds() -> list[str]:
    return [data["kind"] for data in alerts()]


def test_a_password_change_alerts_once_with_address_and_device(
    api_client: APIClient, user: User
) -> None:
    client = signed_in(api_client)
    log_in(APIClient())  # another session, which the change ends

    response = client.post(
        "/api/v1/accounts/password/change/",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
        HTTP_USER_AGENT=AGENT,
        REMOTE_ADDR=ADDRESS,
    )

    assert response.status_code == 204
    [alert] = alerts()
    assert alert["kind"] == "password_changed"
    assert (alert["user_id"], alert["email"]) == (str(user.id), user.email)
    assert (alert["ip"], alert["device"]) == (ADDRESS, AGENT)
    # Nothing secret rides along.
    assert PASSWORD not in str(alert)
    assert NEW_PASSWORD not in str(alert)


def test_a_refused_password_change_alerts_nothing(api_client: APIClient, user: User) -> None:
    client = signed_in(api_client)

    response = client.post(
        "/api/v1/accounts/password/change/",
        {"current_password": "not the password 1", "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 403
    assert alerts() == []


def test_a_password_reset_alerts(api_client: APIClient, user: User) -> None:
    password_reset_request(email=user.email)
    [reset] = OutboxMessage.objects.filter(event_type="accounts.user.password_reset_requested")
    token = reset.envelope["data"]["reset_url"].partition("#token=")[2]

    response = api_client.post(
        "/api/v1/accounts/password/reset/confirm/",
        {"token": token, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert response.status_code == 204
    assert kinds() == ["password_reset"]


def test_mfa_on_new_recovery_codes_and_mfa_off_each_alert(
    api_client: APIClient, user: User
) -> None:
    client = signed_in(api_client)
    totp_enrol(user_id=user.id)

    client.post("/api/v1/accounts/mfa/totp/confirm/", {"code": totp_code(user)}, format="json")
    codes = client.post(
        "/api/v1/accounts/mfa/recovery-codes/",
        {"code": totp_code(user, steps_ahead=1)},
        format="json",
    ).json()["recovery_codes"]
    disabled = client.post("/api/v1/accounts/mfa/disable/", {"code": codes[0]}, format="json")

    assert disabled.status_code == 204
    assert kinds() == ["mfa_enabled", "recovery_codes_regenerated", "mfa_disabled"]


def test_signing_out_everywhere_alerts(api_client: APIClient, user: User) -> None:
    client = signed_in(api_client)

    response = client.post("/api/v1/accounts/logout-all/")

    assert response.status_code == 204
    assert kinds() == ["sessions_revoked"]


def test_an_admin_revoking_a_role_ends_sessions_without_an_alert(user: User) -> None:
    log_in(APIClient())
    user.roles = [*user.roles, Role.EDITOR]
    user.save(update_fields=["roles"])

    user_role_revoke(user_id=user.id, role=Role.EDITOR, actor_id=None, client=CLIENT)

    assert alerts() == []


def test_only_a_sign_in_from_a_new_device_alerts(user: User) -> None:
    def sign_in(agent: str) -> None:
        response = APIClient().post(
            "/api/v1/accounts/token/",
            {"email": user.email, "password": PASSWORD},
            format="json",
            HTTP_USER_AGENT=agent,
        )
        assert response.status_code == 200

    sign_in("Firefox/140")  # the account's first sign-in
    sign_in("Firefox/140")
    sign_in("Safari/18 (iPhone)")
    sign_in("Safari/18 (iPhone)")

    [alert] = alerts()
    assert (alert["kind"], alert["device"]) == ("new_device_sign_in", "Safari/18 (iPhone)")
