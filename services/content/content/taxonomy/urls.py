from django.urls import path

from content.taxonomy.apis import (
    CategoryCollectionApi,
    CategoryDetailApi,
    TagCollectionApi,
    TagDetailApi,
)

app_name = "taxonomy"

urlpatterns = [
    path("categories/", CategoryCollectionApi.as_view(), name="categories"),
    path("categories/<uuid:category_id>/", CategoryDetailApi.as_view(), name="category"),
    path("tags/", TagCollectionApi.as_view(), name="tags"),
    path("tags/<uuid:tag_id>/", TagDetailApi.as_view(), name="tag"),
]
