"""Problem codes and domain errors of multi-factor authentication."""

from __future__ import annotations

from accounts.tokens.errors import TokenCode
from platform_common.api.errors import (
    AuthenticationFailedError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from platform_common.problems import TitledCode


class MfaCode(TitledCode):
    MFA_CHALLENGE_INVALID = "mfa_challenge_invalid", "MFA challenge invalid or expired"
    MFA_CODE_INVALID = "mfa_code_invalid", "MFA code invalid"
    MFA_ALREADY_ENABLED = "mfa_already_enabled", "MFA already enabled"
    MFA_NOT_ENABLED = "mfa_not_enabled", "MFA not enabled"
    MFA_NOT_ENROLLED = "mfa_not_enrolled", "No MFA enrolment pending"


class MfaChallengeInvalid(AuthenticationFailedError):
    """Unknown, expired, already used, or spent by too many wrong codes: log in again."""

    def __init__(self) -> None:
        super().__init__(
            "This MFA challenge is invalid, expired or used up; log in again.",
            code=MfaCode.MFA_CHALLENGE_INVALID,
        )


MFA_CODE_INVALID_MESSAGE = "The authenticator or recovery code is not valid."


class MfaLoginCodeInvalid(AuthenticationFailedError):
    """A wrong second factor while logging in (no token yet: 401)."""

    def __init__(self) -> None:
        super().__init__(MFA_CODE_INVALID_MESSAGE, code=MfaCode.MFA_CODE_INVALID)


class MfaCodeIncorrect(PermissionDeniedError):
    # 403, not 401: the access token is fine, only the typed code is not.
    def __init__(self) -> None:
        super().__init__(MFA_CODE_INVALID_MESSAGE, code=MfaCode.MFA_CODE_INVALID)


class MfaAlreadyEnabled(ConflictError):
    def __init__(self) -> None:
        super().__init__(
            "Multi-factor authentication is already enabled; disable it first.",
            code=MfaCode.MFA_ALREADY_ENABLED,
        )


class MfaNotEnabled(NotFoundError):
    def __init__(self) -> None:
        super().__init__(
            "Multi-factor authentication is not enabled.", code=MfaCode.MFA_NOT_ENABLED
        )


class MfaNotEnrolled(NotFoundError):
    def __init__(self) -> None:
        super().__init__(
            "No authenticator is waiting for confirmation; enrol first.",
            code=MfaCode.MFA_NOT_ENROLLED,
        )


class MfaTooManyAttempts(RateLimitedError):
    def __init__(self, *, retry_after: int) -> None:
        super().__init__(
            "Too many wrong codes; try again later.",
            # The login lockout's code: a client handles both the same way.
            code=TokenCode.TOO_MANY_ATTEMPTS,
            retry_after=retry_after,
        )
