from django.urls import path, register_converter

from content.articles.apis import (
    ArticleArchiveApi,
    ArticleBySlugApi,
    ArticleCollectionApi,
    ArticleCoverApi,
    ArticleDetailApi,
    ArticlePublishApi,
    ArticleRejectApi,
    ArticleRevisionDiffApi,
    ArticleRevisionListApi,
    ArticleRevisionRestoreApi,
    ArticleSearchApi,
    ArticleSubmitApi,
    AutocompleteApi,
    CoverFileApi,
)
from platform_common.stored_images import ImageNameConverter

register_converter(ImageNameConverter, "image")

app_name = "articles"

urlpatterns = [
    path("articles/", ArticleCollectionApi.as_view(), name="collection"),
    path("articles/<uuid:article_id>/", ArticleDetailApi.as_view(), name="detail"),
    path("articles/search/", ArticleSearchApi.as_view(), name="search"),
    path("articles/autocomplete/", AutocompleteApi.as_view(), name="autocomplete"),
    path("articles/by-slug/<slug:slug>/", ArticleBySlugApi.as_view(), name="by-slug"),
    path("articles/<uuid:article_id>/cover/", ArticleCoverApi.as_view(), name="cover"),
    path("covers/<image:name>", CoverFileApi.as_view(), name="cover-file"),
    path("articles/<uuid:article_id>/submit/", ArticleSubmitApi.as_view(), name="submit"),
    path("articles/<uuid:article_id>/reject/", ArticleRejectApi.as_view(), name="reject"),
    path("articles/<uuid:article_id>/publish/", ArticlePublishApi.as_view(), name="publish"),
    path("articles/<uuid:article_id>/archive/", ArticleArchiveApi.as_view(), name="archive"),
    path(
        "articles/<uuid:article_id>/revisions/",
        ArticleRevisionListApi.as_view(),
        name="revisions",
    ),
    path(
        "articles/<uuid:article_id>/revisions/diff/",
        ArticleRevisionDiffApi.as_view(),
        name="revision-diff",
    ),
    path(
        "articles/<uuid:article_id>/revisions/<int:number>/restore/",
        ArticleRevisionRestoreApi.as_view(),
        name="revision-restore",
    ),
]
