"""Reads of teams."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Prefetch, QuerySet

from accounts.teams.models import Membership, Team
from platform_common.api.selectors import get_object_or_not_found
from platform_common.auth.permissions import MAX_TOKEN_TEAMS, TEAMS_CLAIM


def team_list() -> QuerySet[Team]:
    return Team.objects.order_by("name").prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.order_by("joined_at"))
    )


def team_get(*, team_id: UUID) -> Team:
    return get_object_or_not_found(team_list(), pk=team_id, message="No such team.")


def team_claims(*, user_id: UUID) -> dict[str, dict[str, str]]:
    """The ``teams`` claim of the user's access tokens: ``{team id: team role}``; no claim
    for a user in no team, nor above MAX_TOKEN_TEAMS teams (tokens stay small; team checks
    then refuse)."""
    memberships = list(
        Membership.objects.filter(user_id=user_id).values_list("team_id", "role")[
            : MAX_TOKEN_TEAMS + 1
        ]
    )
    if not memberships or len(memberships) > MAX_TOKEN_TEAMS:
        return {}
    return {TEAMS_CLAIM: {str(team_id): role for team_id, role in memberships}}
