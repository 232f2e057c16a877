"""Problem codes and domain errors of users."""

from __future__ import annotations

from platform_common.api.errors import ConflictError, NotFoundError, PermissionDeniedError
from platform_common.problems import TitledCode


class UserCode(TitledCode):
    EMAIL_TAKEN = "email_taken", "Email taken"
    ACCOUNT_TOKEN_INVALID = "account_token_invalid", "Link invalid or expired"
    PASSWORD_INCORRECT = "password_incorrect", "Password incorrect"
    ROLE_NOT_HELD = "role_not_held", "Role not held"


class EmailTaken(ConflictError):
    def __init__(self) -> None:
        super().__init__(
            "An account with this email address already exists.", code=UserCode.EMAIL_TAKEN
        )


class AccountTokenInvalid(NotFoundError):
    """A verification or reset token that is unknown, expired or already used: the link
    leads nowhere (any longer)."""

    def __init__(self) -> None:
        super().__init__(
            "This link is invalid, expired or already used; ask for a new one.",
            code=UserCode.ACCOUNT_TOKEN_INVALID,
        )


class PasswordIncorrect(PermissionDeniedError):
    # 403, not 401: the access token is fine, only the typed current password is not.
    def __init__(self) -> None:
        super().__init__("The current password is incorrect.", code=UserCode.PASSWORD_INCORRECT)


class RoleNotHeld(NotFoundError):
    def __init__(self) -> None:
        super().__init__("The user does not hold this role.", code=UserCode.ROLE_NOT_HELD)
