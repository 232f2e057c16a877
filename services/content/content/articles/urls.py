from django.urls import path

from content.articles.apis import ArticleDetailApi, ArticleListCreateApi

app_name = "articles"

urlpatterns = [
    path("articles/", ArticleListCreateApi.as_view(), name="list"),
    path("articles/<uuid:article_id>/", ArticleDetailApi.as_view(), name="detail"),
]
