"""Business actions on teams (admins only, checked by the API)."""

from __future__ import annotations

from uuid import UUID

from django.db import IntegrityError, transaction

from accounts.teams.errors import NotAMember, TeamNameTaken
from accounts.teams.models import TEAM_NAME_UNIQUE_CONSTRAINT, Membership, Team
from accounts.teams.selectors import team_get
from accounts.users.selectors import user_get_for_update
from platform_common.api.selectors import get_object_or_not_found
from platform_common.auth.permissions import TeamRole


def team_create(*, name: str) -> Team:
    try:
        with transaction.atomic():
            team = Team.objects.create(name=name.strip())
    except IntegrityError as error:
        diagnostics = getattr(error.__cause__, "diag", None)
        if getattr(diagnostics, "constraint_name", None) == TEAM_NAME_UNIQUE_CONSTRAINT:
            raise TeamNameTaken() from error
        raise
    return team_get(team_id=team.id)


def team_member_set(*, team_id: UUID, user_id: UUID, role: TeamRole) -> Team:
    """Add the user to the team with ``role``, or change the role of a member. Tokens
    issued from now on carry it (the claim is read at each token issue)."""
    with transaction.atomic():
        team = get_object_or_not_found(
            Team.objects.select_for_update(), pk=team_id, message="No such team."
        )
        user_get_for_update(user_id=user_id)
        Membership.objects.update_or_create(team=team, user_id=user_id, defaults={"role": role})
    return team_get(team_id=team_id)


def team_member_remove(*, team_id: UUID, user_id: UUID) -> Team:
    """Take the user out of the team; their live tokens keep the membership until they
    expire (an access token lifetime at most)."""
    with transaction.atomic():
        deleted, _ = Membership.objects.filter(team_id=team_id, user_id=user_id).delete()
        if not deleted:
            team_get(team_id=team_id)  # 404 for an unknown team first
            raise NotAMember()
    return team_get(team_id=team_id)
