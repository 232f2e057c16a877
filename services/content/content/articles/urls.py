from django.urls import path

from content.articles.apis import ArticleBySlugApi, ArticleCollectionApi, ArticleDetailApi

app_name = "articles"

urlpatterns = [
    path("articles/", ArticleCollectionApi.as_view(), name="collection"),
    path("articles/<uuid:article_id>/", ArticleDetailApi.as_view(), name="detail"),
    path("articles/by-slug/<slug:slug>/", ArticleBySlugApi.as_view(), name="by-slug"),
]
