"""Problem codes and domain errors of users."""

from __future__ import annotations

from platform_common.api.errors import ConflictError
from platform_common.problems import TitledCode


class UserCode(TitledCode):
    EMAIL_TAKEN = "email_taken", "Email taken"


class EmailTaken(ConflictError):
    def __init__(self) -> None:
        super().__init__(
            "An account with this email address already exists.", code=UserCode.EMAIL_TAKEN
        )
