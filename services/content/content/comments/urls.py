from django.urls import path

from content.comments.apis import (
    ArticleCommentCollectionApi,
    CommentDetailApi,
    CommentModerationApi,
    CommentModerationQueueApi,
)

app_name = "comments"

urlpatterns = [
    path(
        "articles/<uuid:article_id>/comments/",
        ArticleCommentCollectionApi.as_view(),
        name="article-comments",
    ),
    path("comments/moderation/", CommentModerationQueueApi.as_view(), name="moderation-queue"),
    path("comments/<uuid:comment_id>/", CommentDetailApi.as_view(), name="detail"),
    path(
        "comments/<uuid:comment_id>/moderation/",
        CommentModerationApi.as_view(),
        name="moderation",
    ),
]
