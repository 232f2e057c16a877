from django.urls import path, register_converter

from content.engagement.apis import BookmarkApi, BookmarkCollectionApi, ReactionApi
from content.engagement.models import ReactionKind


class ReactionKindConverter:
    """Only the known kinds route: any other is a 404, like any unknown path."""

    regex = "|".join(ReactionKind.values)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReactionKindConverter, "reaction")

app_name = "engagement"

urlpatterns = [
    path(
        "articles/<uuid:article_id>/reactions/<reaction:kind>/",
        ReactionApi.as_view(),
        name="reaction",
    ),
    path("articles/<uuid:article_id>/bookmark/", BookmarkApi.as_view(), name="bookmark"),
    path("bookmarks/", BookmarkCollectionApi.as_view(), name="bookmarks"),
]
