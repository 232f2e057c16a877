"""Problem codes and domain errors of logins and tokens."""

from __future__ import annotations

from platform_common.api.errors import (
    AuthenticationFailedError,
    ConflictError,
    RateLimitedError,
)
from platform_common.problems import ProblemCode, TitledCode


class TokenCode(TitledCode):
    INVALID_CREDENTIALS = "invalid_credentials", "Invalid credentials"
    TOO_MANY_ATTEMPTS = "too_many_attempts", "Too many attempts"
    TOKEN_REUSED = "token_reused", "Token reused"
    REFRESH_TOKEN_ROTATED = "refresh_token_rotated", "Refresh token rotated"


class InvalidCredentials(AuthenticationFailedError):
    def __init__(self) -> None:
        super().__init__("Email or password is incorrect.", code=TokenCode.INVALID_CREDENTIALS)


class TooManyAttempts(RateLimitedError):
    """The client is locked out of logging in for ``retry_after`` seconds."""

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(
            "Too many failed login attempts; try again later.",
            code=TokenCode.TOO_MANY_ATTEMPTS,
            retry_after=retry_after,
        )


class RefreshTokenInvalid(AuthenticationFailedError):
    def __init__(self) -> None:
        super().__init__("The refresh token is not valid.", code=ProblemCode.INVALID_TOKEN)


class RefreshTokenExpired(AuthenticationFailedError):
    def __init__(self) -> None:
        super().__init__("The refresh token has expired.", code=ProblemCode.TOKEN_EXPIRED)


class RefreshTokenReused(AuthenticationFailedError):
    def __init__(self) -> None:
        super().__init__(
            "The refresh token was already used; every token of its session is revoked.",
            code=TokenCode.TOKEN_REUSED,
        )


class RefreshTokenRotated(ConflictError):
    """A concurrent duplicate: benign, the client retries with its newest refresh token."""

    def __init__(self) -> None:
        super().__init__(
            "This refresh token was just rotated by a concurrent request; "
            "retry with the newest refresh token.",
            code=TokenCode.REFRESH_TOKEN_ROTATED,
        )
