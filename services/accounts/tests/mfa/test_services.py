from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest
from pytest_django import Settings

from accounts.mfa.errors import MfaAlreadyEnabled, MfaCodeIncorrect, MfaNotEnabled
from accounts.mfa.models import RecoveryCode, TotpDevice
from accounts.mfa.services import mfa_disable, mfa_enabled, totp_confirm, totp_enrol
from accounts.users.models import User
from tests.mfa.helpers import CLIENT, totp_code

pytestmark = pytest.mark.django_db


def test_enrolment_gives_a_secret_and_its_otpauth_uri_and_stores_the_secret_encrypted(
    user: User,
) -> None:
    enrolment = totp_enrol(user_id=user.id)

    device = TotpDevice.objects.get(user=user)
    assert not device.confirmed
    assert not mfa_enabled(user_id=user.id)
    padded = enrolment.secret + "=" * (-len(enrolment.secret) % 8)
    assert device.bin_key == base64.b32decode(padded)
    assert enrolment.secret not in device.encrypted_key
    assert device.bin_key.hex() not in device.encrypted_key
    uri = urlsplit(enrolment.otpauth_uri)
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert uri.path == "/Platform%3ACarol%40example.com"
    assert parse_qs(uri.query)["secret"] == [enrolment.secret]


def test_a_new_enrolment_replaces_an_unconfirmed_one(user: User) -> None:
    first = totp_enrol(user_id=user.id)

    second = totp_enrol(user_id=user.id)

    assert first.secret != second.secret
    assert TotpDevice.objects.filter(user=user).count() == 1


def test_confirming_with_a_code_enables_mfa_and_gives_hashed_recovery_codes(user: User) -> None:
    totp_enrol(user_id=user.id)

    codes = totp_confirm(user_id=user.id, client=CLIENT, code=totp_code(user))

    assert mfa_enabled(user_id=user.id)
    assert len(codes) == len(set(codes)) == 10
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10
    assert not stored & {code.replace("-", "") for code in codes}


def test_a_wrong_confirmation_code_is_refused_and_counted(user: User) -> None:
    totp_enrol(user_id=user.id)

    with pytest.raises(MfaCodeIncorrect):
        totp_confirm(
            user_id=user.id,
            client=CLIENT,
            code="000000" if totp_code(user) != "000000" else "111111",
        )

    device = TotpDevice.objects.get(user=user)
    assert not device.confirmed
    assert device.throttling_failure_count == 1
    assert not RecoveryCode.objects.filter(user=user).exists()


def test_enrolling_again_while_enabled_is_refused(user: User) -> None:
    totp_enrol(user_id=user.id)
    totp_confirm(user_id=user.id, client=CLIENT, code=totp_code(user))

    with pytest.raises(MfaAlreadyEnabled):
        totp_enrol(user_id=user.id)


def test_disabling_needs_a_valid_code(user: User, settings: Settings) -> None:
    settings.MFA_THROTTLE_FACTOR_SECONDS = 0  # no back-off between the two tries
    totp_enrol(user_id=user.id)
    codes = totp_confirm(user_id=user.id, client=CLIENT, code=totp_code(user))

    with pytest.raises(MfaCodeIncorrect):
        mfa_disable(user_id=user.id, client=CLIENT, code="WRONG-CODE-0000-0000")
    assert mfa_enabled(user_id=user.id)

    mfa_disable(user_id=user.id, client=CLIENT, code=codes[0])

    assert not TotpDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()


def test_disabling_without_mfa_is_refused(user: User) -> None:
    with pytest.raises(MfaNotEnabled):
        mfa_disable(user_id=user.id, client=CLIENT, code="123456")
