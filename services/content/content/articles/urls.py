from django.urls import path

from content.articles.apis import ArticleCollectionApi, ArticleDetailApi

app_name = "articles"

urlpatterns = [
    path("articles/", ArticleCollectionApi.as_view(), name="collection"),
    path("articles/<uuid:article_id>/", ArticleDetailApi.as_view(), name="detail"),
]
