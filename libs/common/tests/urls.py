from django.urls import include, path

from platform_common.api.urls import handler400, handler403, handler404, handler500  # noqa: F401
from tests.testapp import apis

urlpatterns = [
    path("", include("platform_common.health")),
    path("api/notes/", apis.NoteListApi.as_view()),
    path("api/notes/cursor/", apis.NoteCursorApi.as_view()),
    path("api/notes/<uuid:note_id>/", apis.NoteDetailApi.as_view()),
    path("api/errors/leaky/", apis.LeakyErrorApi.as_view()),
    path("api/errors/<str:kind>/", apis.ErrorApi.as_view()),
    path("api/whoami/", apis.WhoAmIApi.as_view()),
    path("api/caller/", apis.CallerApi.as_view()),
    path("api/editors-only/", apis.EditorOnlyApi.as_view()),
    path("plain/fails/", apis.plain_view_that_fails),
]
