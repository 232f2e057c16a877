"""HTTP API of teams: admins create them and manage their members."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.teams.models import Membership, Team
from accounts.teams.selectors import team_get, team_list
from accounts.teams.services import team_create, team_member_remove, team_member_set
from platform_common.api.schema import problem_responses
from platform_common.api.serializers import InputSerializer as BaseInputSerializer
from platform_common.auth.permissions import HasRole, Role, TeamRole

ADMINS = [HasRole.any_of(Role.ADMIN)]


class MembershipOutputSerializer(serializers.ModelSerializer[Membership]):
    class Meta:
        model = Membership
        fields = ("user_id", "role", "joined_at")


@extend_schema_serializer(component_name="TeamOutput")
class TeamOutputSerializer(serializers.ModelSerializer[Team]):
    """A team and its members."""

    members = MembershipOutputSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Team
        fields = ("id", "name", "created_at", "members")


class TeamListApi(APIView):
    permission_classes = ADMINS

    @extend_schema_serializer(component_name="TeamCreateInput")
    class InputSerializer(BaseInputSerializer):
        """A new team's name (unique in any case)."""

        name = serializers.CharField(max_length=100)

    @extend_schema(operation_id="team_list", responses=TeamOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(TeamOutputSerializer(team_list(), many=True).data)

    @extend_schema(
        operation_id="team_create",
        request=InputSerializer,
        responses={201: TeamOutputSerializer, **problem_responses(409)},  # 409 team_name_taken
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        team = team_create(**serializer.validated_data)
        return Response(TeamOutputSerializer(team).data, status=status.HTTP_201_CREATED)


class TeamDetailApi(APIView):
    permission_classes = ADMINS

    @extend_schema(operation_id="team_get", responses=TeamOutputSerializer)
    def get(self, request: Request, team_id: UUID) -> Response:
        return Response(TeamOutputSerializer(team_get(team_id=team_id)).data)


class TeamMemberApi(APIView):
    """Admins add a member or set their team role (PUT), and remove them (DELETE)."""

    permission_classes = ADMINS

    @extend_schema_serializer(component_name="TeamMemberInput")
    class InputSerializer(BaseInputSerializer):
        """The member's role in the team."""

        role = serializers.ChoiceField(choices=[role.value for role in TeamRole])

    @extend_schema(
        operation_id="team_member_set", request=InputSerializer, responses=TeamOutputSerializer
    )
    def put(self, request: Request, team_id: UUID, user_id: UUID) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        team = team_member_set(
            team_id=team_id, user_id=user_id, role=TeamRole(serializer.validated_data["role"])
        )
        return Response(TeamOutputSerializer(team).data)

    @extend_schema(
        operation_id="team_member_remove",
        responses={200: TeamOutputSerializer},  # 404 not_a_member
    )
    def delete(self, request: Request, team_id: UUID, user_id: UUID) -> Response:
        return Response(
            TeamOutputSerializer(team_member_remove(team_id=team_id, user_id=user_id)).data
        )
