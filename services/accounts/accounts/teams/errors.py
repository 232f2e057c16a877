"""Problem codes and domain errors of teams."""

from __future__ import annotations

from platform_common.api.errors import ConflictError, NotFoundError
from platform_common.problems import TitledCode


class TeamCode(TitledCode):
    TEAM_NAME_TAKEN = "team_name_taken", "Team name taken"
    NOT_A_MEMBER = "not_a_member", "Not a member"


class TeamNameTaken(ConflictError):
    def __init__(self) -> None:
        super().__init__("A team with this name already exists.", code=TeamCode.TEAM_NAME_TAKEN)


class NotAMember(NotFoundError):
    def __init__(self) -> None:
        super().__init__("The user is not a member of this team.", code=TeamCode.NOT_A_MEMBER)
