from django.urls import path

from accounts.teams.apis import TeamDetailApi, TeamListApi, TeamMemberApi

urlpatterns = [
    path("teams/", TeamListApi.as_view(), name="team-list"),
    path("teams/<uuid:team_id>/", TeamDetailApi.as_view(), name="team-detail"),
    path(
        "teams/<uuid:team_id>/members/<uuid:user_id>/",
        TeamMemberApi.as_view(),
        name="team-member",
    ),
]
