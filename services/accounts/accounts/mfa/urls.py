from django.urls import path

from accounts.mfa.apis import (
    MfaDisableApi,
    MfaStatusApi,
    RecoveryCodesApi,
    TokenMfaApi,
    TotpConfirmApi,
    TotpEnrolApi,
)

urlpatterns = [
    path("token/mfa/", TokenMfaApi.as_view(), name="token-mfa"),
    path("mfa/", MfaStatusApi.as_view(), name="mfa-status"),
    path("mfa/totp/", TotpEnrolApi.as_view(), name="mfa-totp-enrol"),
    path("mfa/totp/confirm/", TotpConfirmApi.as_view(), name="mfa-totp-confirm"),
    path("mfa/disable/", MfaDisableApi.as_view(), name="mfa-disable"),
    path("mfa/recovery-codes/", RecoveryCodesApi.as_view(), name="mfa-recovery-codes"),
]
