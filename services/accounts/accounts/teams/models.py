"""Teams: groups of users, each member with a role in the team."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from platform_common.auth.permissions import TeamRole
from platform_common.models import UUIDModel

TEAM_NAME_UNIQUE_CONSTRAINT = "teams_team_name_ci_unique"


class Team(UUIDModel):
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(Lower("name"), name=TEAM_NAME_UNIQUE_CONSTRAINT),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(UUIDModel):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(
        max_length=20,
        choices=[(role.value, role.value) for role in TeamRole],
        default=TeamRole.MEMBER.value,
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["team", "user"], name="teams_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.team_id} ({self.role})"
