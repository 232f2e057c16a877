from django.urls import include, path

from tests.testapp import apis

urlpatterns = [
    path("", include("platform_common.health")),
    path("api/notes/", apis.NoteListApi.as_view()),
    path("api/notes/cursor/", apis.NoteCursorApi.as_view()),
    path("api/errors/<str:kind>/", apis.ErrorApi.as_view()),
    path("api/whoami/", apis.WhoAmIApi.as_view()),
    path("api/editors-only/", apis.EditorOnlyApi.as_view()),
    path("plain/fails/", apis.plain_view_that_fails),
]

handler400 = "platform_common.api.errors.handler400"
handler403 = "platform_common.api.errors.handler403"
handler404 = "platform_common.api.errors.handler404"
handler500 = "platform_common.api.errors.handler500"
